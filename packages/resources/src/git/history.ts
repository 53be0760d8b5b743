import type { Mirror } from './mirror.js';
import type { HistoryFilters } from './source.js';

/**
 * Where candidate commits come from: the first-parent history of a branch tip (down to and
 * including `since`), or given commits tested one by one (the commits of tags).
 */
export type CommitCandidates = { tip: string; since?: string } | { commits: readonly string[] };

/** Concourse's patterns, as git grep reads them (basic regex; `\s` is a GNU extension git's regex has). */
const CI_SKIP_PATTERNS = ['--grep=\\[ci\\sskip\\]', '--grep=\\[skip\\sci\\]'];

/**
 * The `git rev-list` invocations that select commits, as Concourse's git resource does: walk the
 * first-parent history limited to the paths, then one pass per message filter (git cannot mix
 * matching and non-matching greps in one pass), each reading the previous pass's output on
 * stdin. Output is newest first; `limit` keeps the first commits of the last pass.
 */
export function revListPasses(candidates: CommitCandidates, filters: HistoryFilters, limit?: number): string[][] {
  const grepPasses: string[][] = [];
  if (filters.include.length > 0) grepPasses.push([...filters.include.map((pattern) => `--grep=${pattern}`), ...(filters.includeAllMatch ? ['--all-match'] : [])]);
  if (filters.exclude.length > 0) {
    grepPasses.push(['--invert-grep', ...filters.exclude.map((pattern) => `--grep=${pattern}`), ...(filters.excludeAllMatch ? ['--all-match'] : [])]);
  }
  if (filters.skipCiSkip) grepPasses.push(['--invert-grep', ...CI_SKIP_PATTERNS]);

  const passCount = Math.max(1, grepPasses.length);
  const limitArgs = (pass: number) => (limit !== undefined && pass === passCount - 1 ? [`--max-count=${limit}`] : []);
  const pathspec = pathspecArgs(filters);

  const first =
    'tip' in candidates
      ? // `--not since^@` excludes what precedes `since` but keeps it; a root commit has no parents to exclude.
        ['rev-list', '--first-parent', ...(grepPasses[0] ?? []), ...limitArgs(0), candidates.tip, ...(candidates.since ? ['--not', `${candidates.since}^@`] : []), ...pathspec]
      : ['rev-list', '--stdin', '--no-walk=unsorted', ...(grepPasses[0] ?? []), ...limitArgs(0), ...pathspec];
  const rest = grepPasses.slice(1).map((grep, index) => ['rev-list', '--stdin', '--no-walk=unsorted', ...grep, ...limitArgs(index + 1)]);
  return [first, ...rest];
}

function pathspecArgs(filters: HistoryFilters): string[] {
  if (filters.paths.length === 0 && filters.ignorePaths.length === 0) return [];
  const included = filters.paths.length > 0 ? filters.paths : ['.'];
  return ['--', ...included, ...filters.ignorePaths.map((path) => `:(exclude)${path}`)];
}

/** Runs the passes in the mirror; commits newest first. */
export async function selectCommits(mirror: Mirror, candidates: CommitCandidates, filters: HistoryFilters, limit?: number): Promise<string[]> {
  let commits: readonly string[] | undefined = 'commits' in candidates ? candidates.commits : undefined;
  if (commits?.length === 0) return [];
  for (const args of revListPasses(candidates, filters, limit)) {
    const output = await mirror.run(args, 'listing commits in the resource cache', commits);
    commits = output.split('\n').filter((line) => line !== '');
    if (commits.length === 0) return [];
  }
  return [...commits!];
}
