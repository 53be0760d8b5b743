/** How long the task containers of failed builds are kept for `weir intercept`. */
export interface KeptContainerRetention {
  /** Most failed builds whose containers are kept, across all jobs; 0 keeps none. */
  maxBuilds: number;
  /** A kept build's containers go once it ended longer ago than this. */
  maxAgeMs: number;
}

/** As Concourse keeps them: a job's latest failed build until its next build ends, a few in all, a day at most. */
export const DEFAULT_KEPT_CONTAINER_RETENTION: KeptContainerRetention = { maxBuilds: 10, maxAgeMs: 24 * 60 * 60 * 1000 };

/** A failed build whose task containers are kept. */
export interface KeptBuild {
  buildId: number;
  /** Null for a build outside any job (none today, but the store allows it). */
  jobId: number | null;
  /** When it ended, ms since the epoch. */
  endedAt: number;
}

/**
 * Which kept builds to remove: all but the newest of each job (a job's next build replaces its
 * last failed one), those older than `maxAgeMs`, then the oldest beyond `maxBuilds`.
 */
export function keptBuildsToRemove(kept: readonly KeptBuild[], retention: KeptContainerRetention, now: number): number[] {
  const newestFirst = [...kept].sort((a, b) => b.buildId - a.buildId);
  const jobsSeen = new Set<number>();
  const remove: number[] = [];
  let keptCount = 0;
  for (const build of newestFirst) {
    const replaced = build.jobId !== null && jobsSeen.has(build.jobId);
    if (build.jobId !== null) jobsSeen.add(build.jobId);
    if (replaced || now - build.endedAt > retention.maxAgeMs || keptCount >= retention.maxBuilds) remove.push(build.buildId);
    else keptCount++;
  }
  return remove;
}
