/** A job's `build_log_retention` (or the older `build_logs_to_retain`), compiled once. */
export interface LogRetentionPolicy {
  /** Keep the logs of this many recent builds; 0: no limit by count. */
  builds: number;
  /** Keep the logs of builds that ended within this many days; 0: no limit by age. */
  days: number;
  /** With `builds`: keep at least this many succeeded builds' logs, even past the count. */
  minimumSucceededBuilds: number;
}

export interface RetentionCandidate {
  id: number;
  status: 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';
  /** Milliseconds since the epoch; null while the build has not ended. */
  endedAt: number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The engine's own limits (Concourse's `--default-build-logs-to-retain`,
 * `--max-build-logs-to-retain`, `--default-days-to-retain-build-logs` and
 * `--max-days-to-retain-build-logs`); 0 or absent: none.
 */
export interface EngineLogRetention {
  /** Builds whose logs a job keeps when it says nothing. */
  defaultBuilds?: number;
  /** The most builds' logs any job keeps, whatever it says. */
  maxBuilds?: number;
  /** Days a job keeps logs for when it says nothing. */
  defaultDays?: number;
  /** The most days any job keeps logs for, whatever it says. */
  maxDays?: number;
}

/** Whether the engine's limits give every job a retention, so every job must be looked at. */
export function engineRetentionApplies(engine: EngineLogRetention): boolean {
  return [engine.defaultBuilds, engine.maxBuilds, engine.defaultDays, engine.maxDays].some((value) => (value ?? 0) > 0);
}

/**
 * The job's policy, or undefined when it keeps every log (as by default in Concourse). A job
 * that sets no count (or days) gets the engine's default; a job's count (or days) above the
 * engine's maximum, or none at all, is held to the maximum.
 */
export function logRetentionPolicy(jobConfig: Record<string, unknown>, engine: EngineLogRetention = {}): LogRetentionPolicy | undefined {
  const retention = jobConfig.build_log_retention as { builds?: unknown; days?: unknown; minimum_succeeded_builds?: unknown } | undefined;
  const count = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0);
  const limited = (own: number, fallback: number, max: number): number => {
    const value = own > 0 ? own : fallback;
    return max > 0 && (value === 0 || value > max) ? max : value;
  };
  const policy: LogRetentionPolicy = {
    builds: limited(count(retention?.builds ?? jobConfig.build_logs_to_retain), count(engine.defaultBuilds), count(engine.maxBuilds)),
    days: limited(count(retention?.days), count(engine.defaultDays), count(engine.maxDays)),
    minimumSucceededBuilds: count(retention?.minimum_succeeded_builds),
  };
  return policy.builds === 0 && policy.days === 0 ? undefined : policy;
}

/**
 * Which builds lose their logs, by Concourse's rules (its build log collector): builds are
 * taken newest first and running ones are never touched; with only `builds`, the newest that
 * many keep theirs; with only `days`, those that ended longer ago lose them; with both, a
 * build loses its logs only when it is past the count *and* too old. `minimum_succeeded_builds`
 * (with `builds`) keeps that many succeeded builds first, and the count then gives up its oldest
 * other builds to make room. One deliberate difference: with `days` set, a build that ended
 * within `days` always keeps its logs, as Concourse's documentation says (its collector can
 * still trim such builds to make room for the minimum).
 */
export function buildsWhoseLogsExpire(newestFirst: readonly RetentionCandidate[], policy: LogRetentionPolicy, now: number): number[] {
  const expire: number[] = [];
  const keptForCount: number[] = [];
  let kept = 0;
  let keptSucceeded = 0;
  for (const build of newestFirst) {
    if (build.endedAt === null || build.status === 'pending' || build.status === 'started') continue;
    if (policy.builds > 0 && policy.minimumSucceededBuilds > 0 && build.status === 'succeeded' && keptSucceeded < policy.minimumSucceededBuilds) {
      kept++;
      keptSucceeded++;
      continue;
    }
    const pastCount = kept >= policy.builds;
    const tooOld = build.endedAt + policy.days * DAY_MS < now;
    const expires = policy.days === 0 ? pastCount : policy.builds === 0 ? tooOld : pastCount && tooOld;
    if (expires) {
      expire.push(build.id);
    } else if (policy.builds > 0) {
      kept++;
      keptForCount.push(build.id);
    }
  }
  // Succeeded builds kept for the minimum may have pushed the count over: the oldest builds
  // kept only for the count give way. Concourse's collector also trims here when `days` is
  // set, deleting logs of builds that ended within `days`; its documentation says those are
  // kept, and so does weir.
  if (policy.days === 0 && kept > policy.builds) expire.push(...keptForCount.slice(keptForCount.length - (kept - policy.builds)).reverse());
  return expire;
}
