import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
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

export async function readArtifactFile(artifacts: ArtifactScope, path: string, location: string): Promise<string> {
  const file = artifactFilePath(artifacts, path, location);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new WeirError('artifact-file-unreadable', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      location,
      hint: 'check the path inside the artifact; the step that made the artifact may not have written it',
    });
  }
}
