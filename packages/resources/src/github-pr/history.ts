import type { PrVersion, PullState } from './source.js';

/** What a check remembers of one PR between checks. */
export interface PullMemory {
  state: PullState;
  /** The head commit last reported as an open version; absent while the PR never matched. */
  emitted?: string;
  /** The commit date of `emitted`, for the version reporting the PR's end. */
  committed?: string;
}

export interface EmittedVersion {
  /** Order of discovery: versions found by one check share the check's order, by PR number. */
  seq: number;
  version: PrVersion;
}

/**
 * The check's memory: per PR what was reported, and the versions reported, in order. Kept per
 * PR (not as one date cursor) so that commits landing on two PRs at once, or a force push
 * with old commit dates, are never skipped.
 */
export interface History {
  pulls: Record<string, PullMemory>;
  emitted: EmittedVersion[];
}

/** What a check found of one PR. */
export interface Observation {
  number: number;
  state: PullState;
  head: string;
  /** The head's commit date; empty when it was not needed (a PR that does not match). */
  committed: string;
  /** Whether the PR at this head passes every filter of the source. */
  matches: boolean;
}

/** Enough history to answer any `from` the engine may still hold, without growing forever. */
export const EMITTED_KEPT = 2000;

/**
 * The versions a check's observations add, and the history after them. An open PR that matches
 * yields its head once; a PR reported while open yields one more version when it is merged or
 * closed; a PR first seen already closed yields one only when `states` asks for its state.
 */
export function advance(history: History, observations: readonly Observation[], states: ReadonlySet<PullState>): { history: History; added: PrVersion[] } {
  const pulls = { ...history.pulls };
  const added: PrVersion[] = [];
  const version = (o: Observation, committed: string): PrVersion => ({ pr: String(o.number), commit: o.head, state: o.state, committed });
  for (const o of [...observations].sort((a, b) => a.number - b.number)) {
    const key = String(o.number);
    const memory = pulls[key];
    if (o.state === 'open') {
      if (o.matches && memory?.emitted !== o.head) {
        added.push(version(o, o.committed));
        pulls[key] = { state: 'open', emitted: o.head, committed: o.committed };
      } else {
        pulls[key] = { ...memory, state: 'open' };
      }
      continue;
    }
    if (memory?.state === 'open' && memory.emitted !== undefined) {
      // Watchers knew this PR open: they hear it ended, whatever the filters say now.
      added.push(version(o, memory.emitted === o.head ? (memory.committed ?? o.committed) : o.committed));
    } else if (memory === undefined && states.has(o.state) && o.matches) {
      added.push(version(o, o.committed));
    }
    if (states.has('closed') || states.has('merged')) pulls[key] = { state: o.state, emitted: o.head };
    else delete pulls[key];
  }
  const seq = (history.emitted.at(-1)?.seq ?? 0) + 1;
  const emitted = [...history.emitted, ...added.map((v) => ({ seq, version: v }))].slice(-EMITTED_KEPT);
  return { history: { pulls, emitted }, added };
}

/**
 * The answer to a check from `from`: `from` and every version after it. When `from` is unknown
 * (no `from`, or a cache that was lost or trimmed), the latest version of every PR still
 * remembered, oldest first: the engine keeps versions by content, so repeats cost nothing.
 */
export function versionsSince(history: History, from: PrVersion | undefined): PrVersion[] {
  if (from !== undefined) {
    const index = history.emitted.findIndex((e) => e.version.pr === from.pr && e.version.commit === from.commit && e.version.state === from.state);
    if (index >= 0) return history.emitted.slice(index).map((e) => e.version);
  }
  const latest = new Map<string, EmittedVersion>();
  for (const entry of history.emitted) if (history.pulls[entry.version.pr] !== undefined) latest.set(entry.version.pr, entry);
  return [...latest.values()].sort((a, b) => a.seq - b.seq || Number(a.version.pr) - Number(b.version.pr)).map((e) => e.version);
}
