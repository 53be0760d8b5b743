/** What retention needs to know about a snapshot this resource owns. */
export interface RetainedSnapshot {
  name: string;
  /** ISO 8601. */
  created: string;
  /** Snapshots of different claims are counted apart, so `max_count: 7` keeps 7 of each. */
  group: string;
  ready: boolean;
}

export interface RetentionPolicy {
  maxCount?: number;
  maxAgeMs?: number;
}

/**
 * The snapshots to delete after a successful create: in each group, everything beyond the
 * newest `maxCount` and everything older than `maxAgeMs`, oldest first. Snapshots that are not
 * ready are never chosen (another build may still be creating one) nor counted, and the ones
 * just created (`keep`) always stay, whatever the clock says.
 */
export function selectForPruning(snapshots: readonly RetainedSnapshot[], policy: RetentionPolicy, now: Date, keep: ReadonlySet<string>): RetainedSnapshot[] {
  const groups = new Map<string, RetainedSnapshot[]>();
  for (const snapshot of snapshots) {
    if (!snapshot.ready) continue;
    groups.set(snapshot.group, [...(groups.get(snapshot.group) ?? []), snapshot]);
  }
  const pruned: RetainedSnapshot[] = [];
  for (const members of groups.values()) {
    const newestFirst = [...members].sort(newerFirst);
    newestFirst.forEach((snapshot, index) => {
      if (keep.has(snapshot.name)) return;
      const beyondCount = policy.maxCount !== undefined && index >= policy.maxCount;
      const tooOld = policy.maxAgeMs !== undefined && now.getTime() - Date.parse(snapshot.created) > policy.maxAgeMs;
      if (beyondCount || tooOld) pruned.push(snapshot);
    });
  }
  return pruned.sort((a, b) => newerFirst(b, a));
}

/** Newest first; the name breaks ties so the order is the same on every call. */
export function newerFirst(a: { name: string; created: string }, b: { name: string; created: string }): number {
  return Date.parse(b.created) - Date.parse(a.created) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}
