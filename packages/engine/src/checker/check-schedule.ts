import { parseDuration } from '../config/duration.js';

export const DEFAULT_CHECK_INTERVAL_MS = 60_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 60 * 60_000;
/** Failing checks back off up to this, or the check interval if that is longer. */
export const MAX_CHECK_BACKOFF_MS = 30 * 60_000;
/** Random delay added to each check, as a share of the interval, to spread checks out. */
const JITTER_SHARE = 0.1;
const MAX_JITTER_MS = 30_000;
const MAX_FIRST_CHECK_JITTER_MS = 5_000;

export interface ScopeTiming {
  /** Milliseconds between checks; null for `never` (only webhooks and manual checks). */
  intervalMs: number | null;
  timeoutMs: number;
}

/**
 * Resources sharing a history are checked once for all of them: as often as the most eager
 * asks, within the shortest timeout any of them sets.
 */
export function scopeTiming(configs: ReadonlyArray<Record<string, unknown>>, defaults: { intervalMs?: number } = {}): ScopeTiming {
  let intervalMs: number | null = null;
  let timeoutMs: number | null = null;
  for (const config of configs) {
    const every = config.check_every;
    const interval = every === 'never' ? null : typeof every === 'string' ? (parseDuration(every) ?? null) : (defaults.intervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
    if (interval !== null && (intervalMs === null || interval < intervalMs)) intervalMs = interval;
    const timeout = typeof config.check_timeout === 'string' ? parseDuration(config.check_timeout) : undefined;
    if (timeout !== undefined && (timeoutMs === null || timeout < timeoutMs)) timeoutMs = timeout;
  }
  return { intervalMs, timeoutMs: timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS };
}

/** When a history nobody has checked since the engine started is first checked. */
export function firstCheckAt(now: number, timing: ScopeTiming, random: () => number): number | null {
  if (timing.intervalMs === null) return null;
  return now + Math.floor(random() * Math.min(timing.intervalMs * JITTER_SHARE, MAX_FIRST_CHECK_JITTER_MS));
}

/** When to check again after a check ended; failures back off exponentially. */
export function nextCheckAt(endedAt: number, timing: ScopeTiming, consecutiveFailures: number, random: () => number): number | null {
  if (timing.intervalMs === null) return null;
  const interval = timing.intervalMs;
  const delay =
    consecutiveFailures === 0 ? interval : Math.min(interval * 2 ** (consecutiveFailures - 1), Math.max(interval, MAX_CHECK_BACKOFF_MS));
  return endedAt + delay + Math.floor(random() * Math.min(interval * JITTER_SHARE, MAX_JITTER_MS));
}

/** How long after a version is due its type is checked: late enough that the version exists. */
export const DUE_VERSION_CHECK_DELAY_MS = 50;

/**
 * When to check after a successful check of a type that says when its next version is due
 * (a cron slot): right after it, unless the check interval comes first. `never` stays never,
 * and a due time not after the check is ignored, so a confused type cannot make a hot loop.
 */
export function nextCheckForDueVersion(scheduled: number | null, endedAt: number, versionDueAt: number | undefined): number | null {
  if (scheduled === null || versionDueAt === undefined || versionDueAt <= endedAt) return scheduled;
  return Math.min(scheduled, versionDueAt + DUE_VERSION_CHECK_DELAY_MS);
}
