import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compatibility corpus: real third-party Concourse pipelines and task files. It lives outside
 * the repository (it is shared between checkouts), so every test and bench that uses it finds it
 * here and says clearly what happens when it is not there.
 */

export type CorpusKind = 'pipelines' | 'tasks';

const FOLDERS: Record<CorpusKind, string> = {
  pipelines: 'concourse-pipelines',
  tasks: 'concourse-tasks',
};

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Where the corpus is expected: `WEIR_CORPUS`, or `../shared/corpus` next to the repository. */
export function corpusLocation(): string {
  return process.env.WEIR_CORPUS ?? path.resolve(repoRoot, '../shared/corpus');
}

/** The corpus folder, or undefined when it (or one of its two sub-folders) is missing. */
export function corpusDir(): string | undefined {
  const dir = corpusLocation();
  const complete = Object.values(FOLDERS).every((folder) => existsSync(path.join(dir, folder)));
  return complete ? dir : undefined;
}

/** Absolute paths of the corpus's YAML files of one kind, sorted so runs are reproducible; empty when the corpus is missing. */
export function corpusFiles(kind: CorpusKind): string[] {
  const dir = corpusDir();
  if (dir === undefined) return [];
  const folder = path.join(dir, FOLDERS[kind]);
  return readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(folder, name));
}

export function missingCorpusMessage(): string {
  return (
    `the compatibility corpus is not at ${corpusLocation()} ` +
    `(expected ${Object.values(FOLDERS).join('/ and ')}/ there); set WEIR_CORPUS to its folder or check it out at ../shared/corpus`
  );
}

/**
 * The corpus folder for a test that needs it. A missing corpus must not turn CI green by skipping
 * every corpus test, so under CI (`CI=true`) this throws; locally it warns and returns undefined so
 * the caller can skip.
 */
export function requireCorpus(): string | undefined {
  const dir = corpusDir();
  if (dir !== undefined) return dir;
  if (process.env.CI === 'true') throw new Error(`${missingCorpusMessage()}; corpus tests cannot be skipped under CI`);
  console.warn(`skipping corpus tests: ${missingCorpusMessage()}`);
  return undefined;
}
