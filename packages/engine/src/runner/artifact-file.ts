import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { suggest } from '../config/suggest.js';
import { WeirError } from '../errors.js';
import type { ArtifactScope } from './artifact-scope.js';

/**
 * A path such as `repo/ci/task.yml`: the first segment names an artifact, the rest is a file
 * inside it. Used by task `file`, set_pipeline `file`/`var_files` and load_var `file`.
 */
export function artifactFilePath(artifacts: ArtifactScope, path: string, location: string): string {
  const clean = normalize(path);
  const [name, ...rest] = clean.split(sep);
  const dir = name === undefined ? undefined : artifacts.get(name);
  if (isAbsolute(path) || rest.length === 0 || rest.includes('..') || name === undefined) {
    throw new WeirError('artifact-path-invalid', `${JSON.stringify(path)} does not name a file inside an artifact`, {
      location,
      hint: 'write <artifact>/<path inside it>, e.g. repo/ci/task.yml, where <artifact> is a get or a task output earlier in the job',
    });
  }
  if (dir === undefined) {
    const known = [...artifacts.all().keys()];
    const guess = suggest(name, known);
    throw new WeirError('artifact-not-found', `no artifact named ${name} for ${JSON.stringify(path)}`, {
      location,
      hint: guess ? `did you mean ${guess}?` : known.length > 0 ? `the build has: ${known.join(', ')}` : 'get a resource or run a task with that output earlier in the job',
    });
  }
  return join(dir, ...rest);
}

/** The engine reads config and vars files, not data: a bound keeps a huge file from filling memory. */
const MAX_ARTIFACT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a file inside an artifact for the engine itself (a task or pipeline config, a var).
 * The artifact was written by a task or a resource, so its symlinks are untrusted: the file's
 * real path must stay inside the artifact's real path, or a link to the data directory would
 * put the API token in a build log.
 */
export async function readArtifactFile(artifacts: ArtifactScope, path: string, location: string): Promise<string> {
  const file = artifactFilePath(artifacts, path, location);
  const artifactDir = artifacts.get(normalize(path).split(sep)[0]!)!;
  try {
    const [real, realArtifact] = await Promise.all([realpath(file), realpath(artifactDir)]);
    const inside = relative(realArtifact, real);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new WeirError('artifact-path-escapes', `${path} leads outside its artifact (to ${real})`, {
        location,
        hint: 'the engine follows no link out of an artifact: write the file itself into the artifact, not a symlink to somewhere else',
      });
    }
    const handle = await open(real, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_ARTIFACT_FILE_BYTES) {
        throw new WeirError('artifact-file-too-large', `${path} is ${size} bytes; the engine reads files of at most ${MAX_ARTIFACT_FILE_BYTES} bytes`, {
          location,
          hint: 'point the step at a smaller file: configs and vars files are small',
        });
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof WeirError) throw error;
    throw new WeirError('artifact-file-unreadable', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      location,
      hint: 'check the path inside the artifact; the step that made the artifact may not have written it',
    });
  }
}
