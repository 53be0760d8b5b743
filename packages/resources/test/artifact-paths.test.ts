import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactPath, readArtifactText, unreadableReason } from '../src/artifact-paths.js';
import { ResourceError } from '../src/interface.js';

const errors = {
  outside: () => new ResourceError('outside', 'leaves the artifacts'),
  missing: (cause: NodeJS.ErrnoException) => new ResourceError('missing', unreadableReason(cause)),
};

/** A put's directory as the runner lays it out: each artifact a symlink to its own directory. */
async function putDirectory(): Promise<{ workdir: string; secret: string }> {
  const base = await mkdtemp(join(tmpdir(), 'weir-artifact-paths-'));
  const notes = join(base, 'artifacts', 'notes');
  await mkdir(notes, { recursive: true });
  await writeFile(join(notes, 'release.md'), 'v1.2.0\n');
  const secret = join(base, 'data', 'token');
  await mkdir(join(base, 'data'));
  await writeFile(secret, 'engine-token');
  await symlink(secret, join(notes, 'planted'));
  await symlink(join(base, 'data'), join(notes, 'planted-dir'));
  await symlink('release.md', join(notes, 'alias.md'));
  const workdir = join(base, 'put');
  await mkdir(workdir);
  await symlink(notes, join(workdir, 'notes'));
  return { workdir, secret };
}

describe('artifact paths of a put', () => {
  it('reads a file inside an artifact reached through the artifact link, and links inside the artifact', async () => {
    const { workdir } = await putDirectory();
    expect(await readArtifactText(workdir, 'notes/release.md', errors)).toBe('v1.2.0\n');
    expect(await readArtifactText(workdir, 'notes/alias.md', errors)).toBe('v1.2.0\n');
    expect(await artifactPath(workdir, 'notes', errors)).toMatch(/artifacts\/notes$/);
  });

  it('refuses a symlink a task planted to a file or a directory outside the artifact', async () => {
    const { workdir } = await putDirectory();
    await expect(readArtifactText(workdir, 'notes/planted', errors)).rejects.toMatchObject({ code: 'outside' });
    await expect(readArtifactText(workdir, 'notes/planted-dir/token', errors)).rejects.toMatchObject({ code: 'outside' });
  });

  it('refuses .., absolute paths and the put directory itself', async () => {
    const { workdir, secret } = await putDirectory();
    for (const path of ['../data/token', secret, '.', 'notes/../../data/token']) {
      await expect(artifactPath(workdir, path, errors)).rejects.toMatchObject({ code: 'outside' });
    }
  });

  it('says what is wrong with a missing file, a directory and a file over the limit', async () => {
    const { workdir } = await putDirectory();
    await expect(readArtifactText(workdir, 'notes/none.md', errors)).rejects.toMatchObject({ code: 'missing', message: 'no such file' });
    await expect(readArtifactText(workdir, 'notes', errors)).rejects.toMatchObject({ code: 'missing', message: 'a directory, not a file' });
    await expect(readArtifactText(workdir, 'notes/release.md', errors, 3)).rejects.toMatchObject({ code: 'missing', message: '7 bytes, over the limit of 3' });
  });
});
