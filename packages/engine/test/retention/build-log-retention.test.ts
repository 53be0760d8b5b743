import { describe, expect, it } from 'vitest';
import { buildsWhoseLogsExpire, logRetentionPolicy, type RetentionCandidate } from '../../src/retention/build-log-retention.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 100 * DAY;

/** Builds newest first from a compact spec: "s" succeeded, "f" failed, "r" running; ages in days. */
function builds(spec: string, agesInDays: number[] = []): RetentionCandidate[] {
  const count = spec.length;
  return [...spec].map((kind, i) => ({
    id: count - i,
    status: kind === 's' ? 'succeeded' : kind === 'r' ? 'started' : 'failed',
    endedAt: kind === 'r' ? null : NOW - (agesInDays[i] ?? 0) * DAY,
  }));
}

describe('logRetentionPolicy', () => {
  it.each([
    [{}, undefined],
    [{ build_logs_to_retain: 3 }, { builds: 3, days: 0, minimumSucceededBuilds: 0 }],
    [{ build_log_retention: { days: 2 } }, { builds: 0, days: 2, minimumSucceededBuilds: 0 }],
    [{ build_log_retention: { builds: 5, minimum_succeeded_builds: 1 } }, { builds: 5, days: 0, minimumSucceededBuilds: 1 }],
    [{ build_log_retention: { builds: 0, days: 0 } }, undefined],
    [{ build_log_retention: { builds: 4 }, build_logs_to_retain: 9 }, { builds: 4, days: 0, minimumSucceededBuilds: 0 }],
  ])('reads %j as %j', (config, policy) => {
    expect(logRetentionPolicy(config)).toEqual(policy);
  });
});

describe('buildsWhoseLogsExpire, as Concourse decides', () => {
  it.each<[string, string, { builds?: number; days?: number; minimumSucceededBuilds?: number }, number[], number[]]>([
    ['keeps the newest N', 'fffff', { builds: 2 }, [], [3, 2, 1]],
    ['never touches a running build, nor counts it', 'rfff', { builds: 2 }, [], [1]],
    ['keeps everything within the count', 'ff', { builds: 5 }, [], []],
    ['with only days, deletes what ended longer ago', 'ffff', { days: 2 }, [0, 1, 3, 5], [2, 1]],
    ['with builds and days, deletes only what is both past the count and too old', 'ffff', { builds: 1, days: 2 }, [0, 1, 3, 5], [2, 1]],
    ['with builds, days and a minimum, keeps what is recent enough however many', 'sfff', { builds: 1, days: 2, minimumSucceededBuilds: 1 }, [0, 1, 3, 5], [2, 1]],
    ['with builds and days, keeps an old build within the count', 'ff', { builds: 2, days: 1 }, [5, 6], []],
    ['keeps the minimum of succeeded builds past the count, giving up the oldest others', 'ffsfs', { builds: 3, minimumSucceededBuilds: 2 }, [], [4, 2]],
    ['the minimum alone does nothing without builds', 'ffff', { days: 1, minimumSucceededBuilds: 2 }, [3, 3, 3, 3], [4, 3, 2, 1]],
  ])('%s', (_, spec, policy, ages, expected) => {
    const result = buildsWhoseLogsExpire(builds(spec, ages), { builds: 0, days: 0, minimumSucceededBuilds: 0, ...policy }, NOW);
    expect([...result].sort((a, b) => b - a)).toEqual(expected);
  });
});

describe("logRetentionPolicy with the engine's default and maximum", () => {
  it.each([
    // A job that says nothing gets the defaults.
    [{}, { defaultBuilds: 10 }, { builds: 10, days: 0, minimumSucceededBuilds: 0 }],
    [{}, { defaultDays: 7 }, { builds: 0, days: 7, minimumSucceededBuilds: 0 }],
    // A job's own count wins over the default, and is held to the maximum.
    [{ build_logs_to_retain: 3 }, { defaultBuilds: 10 }, { builds: 3, days: 0, minimumSucceededBuilds: 0 }],
    [{ build_log_retention: { builds: 500 } }, { maxBuilds: 100 }, { builds: 100, days: 0, minimumSucceededBuilds: 0 }],
    [{ build_log_retention: { days: 90 } }, { maxDays: 30 }, { builds: 0, days: 30, minimumSucceededBuilds: 0 }],
    // Keeping everything is past any maximum.
    [{}, { maxBuilds: 100, maxDays: 30 }, { builds: 100, days: 30, minimumSucceededBuilds: 0 }],
    [{}, { defaultBuilds: 200, maxBuilds: 100 }, { builds: 100, days: 0, minimumSucceededBuilds: 0 }],
    [{ build_log_retention: { builds: 5, minimum_succeeded_builds: 2 } }, { defaultDays: 7 }, { builds: 5, days: 7, minimumSucceededBuilds: 2 }],
    [{}, { defaultBuilds: 0, maxBuilds: 0 }, undefined],
  ])('reads %j under %j as %j', (config, engine, policy) => {
    expect(logRetentionPolicy(config, engine)).toEqual(policy);
  });
});
