import { createHash } from 'node:crypto';
import { isValidBranchName } from '../git/remote-branch.js';
import type { MetadataField } from '../interface.js';

/** A branch and the commit it points to. */
export interface BranchHead {
  name: string;
  commit: string;
}

/**
 * A version: which set of matching branches at which heads (`digest`), how many there are, and
 * since when the repository has held it. `since` makes a set that comes back (a branch deleted
 * and pushed again at the same commit) a new version, which triggers the watcher again.
 */
export type GitBranchesVersion = { digest: string; branches: string; since: string };

const HEADS_LINE = /^([0-9a-f]{40}|[0-9a-f]{64})\trefs\/heads\/(.+)$/;

/**
 * The branches in `git ls-remote --heads` output. The server chooses what it lists: a name git
 * itself would refuse (a space, `..`, a leading `-`) is set aside, never handed on to a
 * pipeline, where it would become an instance var, a path or an argument. So is a name holding
 * `((`: set as an instance var, weir would read `feature/((token))` as a reference and fill in
 * the team's secret `token` wherever the child pipeline uses the var.
 */
export function parseHeads(output: string): { heads: BranchHead[]; refused: string[] } {
  const heads: BranchHead[] = [];
  const refused: string[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const match = HEADS_LINE.exec(line);
    if (!match) {
      refused.push(line);
      continue;
    }
    const [, commit = '', name = ''] = match;
    if (isValidBranchName(name) && !name.includes('((')) heads.push({ name, commit });
    else refused.push(name);
  }
  return { heads, refused };
}

/** The heads whose names match, sorted by name (code units, so the order never depends on a locale). */
export function matchingHeads(heads: readonly BranchHead[], matches: (name: string) => boolean): BranchHead[] {
  return heads.filter((head) => matches(head.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Names a set of heads (sorted as `matchingHeads` sorts them): equal sets, equal digests. */
export function branchSetDigest(heads: readonly BranchHead[]): string {
  const hash = createHash('sha256');
  for (const head of heads) hash.update(`${head.commit} ${head.name}\n`);
  return hash.digest('hex').slice(0, 24);
}

/** What changed from `before` to `after`: branches added, moved to another commit, and gone. */
export function describeChange(before: readonly BranchHead[] | undefined, after: readonly BranchHead[]): string {
  if (before === undefined) return 'first check';
  const was = new Map(before.map((head) => [head.name, head.commit]));
  const now = new Set(after.map((head) => head.name));
  const added = after.filter((head) => !was.has(head.name)).map((head) => head.name);
  const moved = after.filter((head) => was.has(head.name) && was.get(head.name) !== head.commit).map((head) => head.name);
  const gone = before.filter((head) => !now.has(head.name)).map((head) => head.name);
  const parts = [
    ...(added.length > 0 ? [`new: ${added.join(', ')}`] : []),
    ...(moved.length > 0 ? [`pushed: ${moved.join(', ')}`] : []),
    ...(gone.length > 0 ? [`gone: ${gone.join(', ')}`] : []),
  ];
  return parts.length === 0 ? 'unchanged' : parts.join('; ');
}

const LISTED_IN_METADATA = 20;

/** Shown beside the version: the branches at their short commits, and what changed. */
export function branchSetMetadata(heads: readonly BranchHead[], change: string | undefined): MetadataField[] {
  const listed = heads.slice(0, LISTED_IN_METADATA).map((head) => `${head.name} ${head.commit.slice(0, 7)}`);
  if (heads.length > LISTED_IN_METADATA) listed.push(`and ${heads.length - LISTED_IN_METADATA} more`);
  return [{ name: 'branches', value: listed.length === 0 ? '(none)' : listed.join(', ') }, ...(change !== undefined ? [{ name: 'change', value: change }] : [])];
}
