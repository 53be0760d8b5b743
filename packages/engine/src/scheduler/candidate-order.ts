import type { VersionHistory, VersionId } from './snapshot.js';

/**
 * The order in which an input considers the versions of a newest-first list: newest first for
 * `version: latest`; for `version: every`, the versions newer than the last one the job used
 * come first, oldest first, then the used one and older, newest first (so an input that has
 * caught up stays satisfied by the version it used last). Positions are computed, never
 * materialized: a list of 100 versions costs nothing until candidates are read.
 */
export class CandidateOrder {
  private constructor(
    private readonly newestFirst: readonly VersionId[],
    /** How many versions at the head of `newestFirst` are newer than the last used one. */
    private readonly newerCount: number,
    private readonly history: VersionHistory,
  ) {}

  static latest(newestFirst: readonly VersionId[], history: VersionHistory): CandidateOrder {
    return new CandidateOrder(newestFirst, 0, history);
  }

  /** Concourse's `every` on a job's first run is `latest`: pass no last used version then. */
  static every(newestFirst: readonly VersionId[], lastUsed: VersionId | undefined, history: VersionHistory): CandidateOrder {
    const newerCount = lastUsed === undefined ? 0 : countNewerThan(newestFirst, history.checkOrder(lastUsed), history);
    return new CandidateOrder(newestFirst, newerCount, history);
  }

  get length(): number {
    return this.newestFirst.length;
  }

  /** The candidate at `position` in this order; undefined past the end. */
  at(position: number): VersionId | undefined {
    return this.newestFirst[position < this.newerCount ? this.newerCount - 1 - position : position];
  }

  /** Where `versionId` comes in this order, or -1 when it is not in the list. */
  positionOf(versionId: VersionId): number {
    const index = indexOfVersion(this.newestFirst, versionId, this.history);
    if (index < 0) return -1;
    return index < this.newerCount ? this.newerCount - 1 - index : index;
  }
}

/** How many versions at the head of a newest-first list have a check order above `checkOrder`. */
function countNewerThan(newestFirst: readonly VersionId[], checkOrder: number, history: VersionHistory): number {
  let low = 0;
  let high = newestFirst.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (history.checkOrder(newestFirst[middle] as VersionId) > checkOrder) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The index of `versionId` in a newest-first list, found by its check order; -1 when absent. */
export function indexOfVersion(newestFirst: readonly VersionId[], versionId: VersionId, history: VersionHistory): number {
  const index = countNewerThan(newestFirst, history.checkOrder(versionId), history);
  return newestFirst[index] === versionId ? index : -1;
}
