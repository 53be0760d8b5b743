import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EtagCache } from './github-api.js';
import type { History } from './history.js';

/** Everything a check keeps in the resource's cache directory between checks. */
export interface CheckState {
  history: History;
  /** What was learned of each PR's head commit (date, message, files): asked once per head. */
  heads: Record<string, HeadFacts>;
  etags: EtagCache;
}

export interface HeadFacts {
  sha: string;
  committed: string;
  /** Whether the commit message and the PR's changed files at this head pass the source's filters. */
  passes: boolean;
}

const FILE = 'github-pr-check.json';
const FORMAT = 1;

/** The state the last check saved; an empty one when there is none or it is unreadable (it is only a cache). */
export async function loadCheckState(cacheDir: string): Promise<CheckState> {
  return (await loadSavedCheckState(cacheDir)) ?? { history: { pulls: {}, emitted: [] }, heads: {}, etags: {} };
}

/** The state the last check saved, or undefined when there is none (or it is torn, or from another format). */
export async function loadSavedCheckState(cacheDir: string): Promise<CheckState | undefined> {
  try {
    const saved = JSON.parse(await readFile(join(cacheDir, FILE), 'utf8')) as { format?: number } & CheckState;
    if (saved.format === FORMAT && saved.history && saved.heads && saved.etags) return { history: saved.history, heads: saved.heads, etags: saved.etags };
  } catch {
    // Missing or torn: start over; the engine keeps versions by content, so re-reporting is harmless.
  }
  return undefined;
}

/** Written to a temporary file and renamed, so a crash leaves the old state or the new one, never half of either. */
export async function saveCheckState(cacheDir: string, state: CheckState): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const target = join(cacheDir, FILE);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, JSON.stringify({ format: FORMAT, ...state }));
  await rename(temporary, target);
}
