import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceError } from '../../src/interface.js';
import { gitResourceType, type GitSource } from '../../src/git/index.js';
import { startSshServer, type RunningGitServer } from './support/git-servers.js';
import { haveBinaries } from './support/server-binaries.js';
import { Scratch } from './support/scratch.js';
import { git, UpstreamRepository } from './support/upstream-repository.js';

const scratch = new Scratch();
const servers: RunningGitServer[] = [];
const tmpdirBefore = process.env.TMPDIR;
afterEach(async () => {
  if (tmpdirBefore === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpdirBefore;
  await Promise.all(servers.splice(0).map((server) => server.close()));
  scratch.cleanup();
});

describe.skipIf(!haveBinaries('git', 'sshd', 'ssh', 'ssh-keygen'))('git over ssh with private_key (ssh://127.0.0.1)', () => {
  it('checks, gets and puts with the key, and leaves no key file behind', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    const first = repo.commit('first', { 'a.txt': 'a' });
    const server = await startSshServer(root, scratch.dir('keys'));
    servers.push(server);
    const source: GitSource = { uri: server.url('project'), branch: 'main', private_key: server.clientKey };
    // Where weir writes the key while git runs (next to the test's own scratch directories): nothing left after the calls.
    const temporary = scratch.dir('tmp');
    process.env.TMPDIR = temporary;

    expect((await gitResourceType.check(scratch.context(), source)).map(({ version }) => version.ref)).toEqual([first]);
    const workdir = scratch.dir('build');
    const artifact = scratch.subdir(workdir, 'repo');
    await gitResourceType.get(scratch.context(), source, { ref: first }, {}, artifact);
    writeFileSync(join(artifact, 'b.txt'), 'b');
    git(artifact, ['add', 'b.txt']);
    git(artifact, ['commit', '--quiet', '-m', 'second']);
    const pushed = await gitResourceType.put(scratch.context(), source, { repository: 'repo' }, workdir);
    expect(repo.head()).toBe(pushed.version.ref);
    expect(readdirSync(temporary).filter((name) => !name.startsWith('weir-git-test-'))).toEqual([]);
  });

  it('fails with git-ssh-auth-failed for a key the server does not know, without the key in the message', async () => {
    const root = scratch.dir('served');
    UpstreamRepository.create(root, 'project').commit('first');
    const server = await startSshServer(root, scratch.dir('keys'));
    servers.push(server);
    const ctx = scratch.context();
    const failure = await gitResourceType.check(ctx, { uri: server.url('project'), branch: 'main', private_key: server.strangerKey }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResourceError);
    expect(failure).toMatchObject({ code: 'git-ssh-auth-failed' });
    const keyBody = server.strangerKey.split('\n')[1]!;
    expect((failure as ResourceError).message).not.toContain(keyBody);
    expect(ctx.lines.join('\n')).not.toContain(keyBody);
  });
});
