import type { PrVersion, PullState } from './source.js';

/** What a check remembers of one PR between checks. */
export interface PullMemory {
  state: PullState;
  /** The head commit last reported as an open version; absent while the PR never matched. */
  emitted?: string;
  /** The commit date of `emitted`, for the version reporting the PR's end. */
  committed?: string;
  /**
   * Which open period of the PR this is (or, once ended, was): 1 at first, one more each time it
   * is seen open again after leaving the open state. Absent in caches from before it existed: 1.
   */
  opened?: number;
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
  /**
   * The last open period of each PR forgotten after it ended (sources reporting only open PRs
   * forget them), so that a reopened PR's versions never repeat one of its earlier periods: the
   * engine would take a repeat for a version it already has. Absent in older caches.
   */
  ended?: Record<string, number>;
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
 * yields its head once per open period (a reopened PR yields its head again, even unchanged); a
 * PR reported while open yields one more version when it is merged or closed, with the same
 * `opened` so watchers can pair the two; a PR first seen already closed yields one only when
 * `states` asks for its state.
 */
export function advance(history: History, observations: readonly Observation[], states: ReadonlySet<PullState>): { history: History; added: PrVersion[] } {
  const pulls = { ...history.pulls };
  const ended = { ...history.ended };
  const added: PrVersion[] = [];
  const version = (o: Observation, committed: string, opened: number): PrVersion => ({ pr: String(o.number), commit: o.head, state: o.state, committed, opened: String(opened) });
  for (const o of [...observations].sort((a, b) => a.number - b.number)) {
    const key = String(o.number);
    const memory = pulls[key];
    const last = memory?.opened ?? ended[key];
    if (o.state === 'open') {
      const reopened = memory?.state !== 'open';
      const opened = reopened ? (last ?? 0) + 1 : (last ?? 1);
      delete ended[key];
      if (o.matches && (reopened || memory.emitted !== o.head)) {
        added.push(version(o, o.committed, opened));
        pulls[key] = { state: 'open', emitted: o.head, committed: o.committed, opened };
      } else {
        // Nothing reported yet in a new period: its closing must not yield an end version.
        pulls[key] = reopened ? { state: 'open', opened } : { ...memory, opened };
      }
      continue;
    }
    const opened = last ?? 1;
    if (memory?.state === 'open' && memory.emitted !== undefined) {
      // Watchers knew this PR open: they hear it ended, whatever the filters say now.
      added.push(version(o, memory.emitted === o.head ? (memory.committed ?? o.committed) : o.committed, opened));
    } else if (memory === undefined && states.has(o.state) && o.matches) {
      added.push(version(o, o.committed, opened));
    }
    if (states.has('closed') || states.has('merged')) {
      pulls[key] = { state: o.state, emitted: o.head, opened };
    } else {
      delete pulls[key];
      ended[key] = opened;
    }
  }
  const seq = (history.emitted.at(-1)?.seq ?? 0) + 1;
  const emitted = [...history.emitted, ...added.map((v) => ({ seq, version: v }))].slice(-EMITTED_KEPT);
  return { history: { pulls, emitted, ended }, added };
}

/**
 * The answer to a check from `from`: `from` and every version after it. When `from` is unknown
 * (no `from`, or a cache that was lost or trimmed), the latest version of every PR still
 * remembered, oldest first: the engine keeps versions by content, so repeats cost nothing.
 */
export function versionsSince(history: History, from: PrVersion | undefined): PrVersion[] {
  if (from !== undefined) {
    const index = history.emitted.findIndex((e) => e.version.pr === from.pr && e.version.commit === from.commit && e.version.state === from.state && e.version.opened === from.opened);
    if (index >= 0) return history.emitted.slice(index).map((e) => e.version);
  }
  const latest = new Map<string, EmittedVersion>();
  for (const entry of history.emitted) if (history.pulls[entry.version.pr] !== undefined) latest.set(entry.version.pr, entry);
  return [...latest.values()].sort((a, b) => a.seq - b.seq || Number(a.version.pr) - Number(b.version.pr)).map((e) => e.version);
}

/**
 * The latest open version of every PR the check reported open and has not reported ended, by
 * PR number: the versions a watcher keeps a pipeline instance for. A PR open again but not
 * reported in its new period is left out, as watchers were never told of that period.
 */
export function openVersions(history: History): PrVersion[] {
  return Object.entries(history.pulls)
    .flatMap(([pr, memory]) =>
      memory.state === 'open' && memory.emitted !== undefined
        ? [{ pr, commit: memory.emitted, state: 'open' as const, committed: memory.committed ?? '', opened: String(memory.opened ?? 1) }]
        : [],
    )
    .sort((a, b) => Number(a.pr) - Number(b.pr));
}
