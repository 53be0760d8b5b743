import type { AnyResourceType } from '@weir/resources';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextCheckForDueVersion } from '../../src/checker/check-schedule.js';
import type { Engine } from '../../src/index.js';
// The cron type is not registered with the built-ins yet; this is the same module the package exports.
import { cronResourceType } from '@weir/resources';
import { testEngine } from '../support/engine.js';
import { TimedType } from '../support/timed-type.js';

const MINUTE = 60_000;

function pipelineWith(resource: string): string {
  return `resources:\n${resource}\njobs:\n- name: job\n  plan:\n  - get: r\n    trigger: true\n`;
}

function resourceId(engine: Engine): number {
  const pipeline = engine.store.pipelines.get({ name: 'p' })!;
  return engine.store.resources.get(pipeline.id, 'r')!.id;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Ticks, expects the tick to have started a check (`checks` counts them), and waits for it:
 * asking for a check while one runs shares the running one.
 */
async function tickStartingCheck(engine: Engine, checks: () => number): Promise<void> {
  const before = checks();
  engine.checker.tick();
  expect(checks()).toBe(before + 1);
  await engine.checker.checkResource(resourceId(engine));
}

function versionsOf(engine: Engine): Array<Record<string, string>> {
  return engine.store.resources.listVersions(resourceId(engine)).map((v) => v.version);
}

/** An engine on a clock the test moves, with checks due exactly when scheduled (no jitter). */
function engineAt(start: string, extraTypes: AnyResourceType[]) {
  let clock = Date.parse(start);
  const engine = testEngine({ extraTypes, now: () => clock, checker: { random: () => 0 } });
  return {
    engine,
    setClock(iso: string) {
      clock = Date.parse(iso);
    },
  };
}

describe('checking types whose versions are due at known times', () => {
  it.each([
    ['a due version before the interval: just after it', 10 * MINUTE, 0, 4 * MINUTE, 4 * MINUTE + 50],
    ['a due version after the interval: the interval', 10 * MINUTE, 0, 30 * MINUTE, 10 * MINUTE],
    ['no due version: the interval', 10 * MINUTE, 0, undefined, 10 * MINUTE],
    ['check_every never: never', null, 0, 4 * MINUTE, null],
    ['a due time not after the check (a confused type): the interval', 10 * MINUTE, 5 * MINUTE, 5 * MINUTE, 10 * MINUTE],
  ] as Array<[string, number | null, number, number | undefined, number | null]>)('%s', (_name, scheduled, endedAt, due, expected) => {
    expect(nextCheckForDueVersion(scheduled, endedAt, due)).toBe(expected);
  });

  it('checks right after the next version is due instead of waiting for check_every', async () => {
    const timed = new TimedType();
    const { engine, setClock } = engineAt('2024-05-01T10:03:00Z', [timed.type]);
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: r\n  type: timed\n  check_every: 1h\n  source: {every_ms: 600000}') });
    await tickStartingCheck(engine, () => timed.checks.length);
    expect(versionsOf(engine)).toEqual([{ at: String(Date.parse('2024-05-01T10:00:00Z')) }]);

    setClock('2024-05-01T10:10:00.049Z');
    engine.checker.tick();
    expect(timed.checks).toHaveLength(1);

    setClock('2024-05-01T10:10:00.050Z');
    await tickStartingCheck(engine, () => timed.checks.length);
    expect(timed.checks).toEqual([Date.parse('2024-05-01T10:03:00Z'), Date.parse('2024-05-01T10:10:00.050Z')]);
    expect(versionsOf(engine)).toHaveLength(2);
  });

  it('keeps backing off after a failed check even when a version is due sooner', async () => {
    const timed = new TimedType();
    timed.fail = 'clock unreadable';
    const { engine, setClock } = engineAt('2024-05-01T10:03:00Z', [timed.type]);
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: r\n  type: timed\n  check_every: 1h\n  source: {every_ms: 600000}') });
    await tickStartingCheck(engine, () => timed.checks.length);
    expect(engine.store.resources.byId(resourceId(engine))!.checkError).toBe('clock unreadable');

    setClock('2024-05-01T10:10:00.050Z');
    engine.checker.tick();
    expect(timed.checks).toHaveLength(1);

    setClock('2024-05-01T11:03:00Z');
    engine.checker.tick();
    expect(timed.checks).toHaveLength(2);
  });

  it('leaves a resource with check_every: never to webhooks and manual checks', async () => {
    const timed = new TimedType();
    const { engine, setClock } = engineAt('2024-05-01T10:03:00Z', [timed.type]);
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: r\n  type: timed\n  check_every: never\n  source: {every_ms: 600000}') });
    await engine.checker.checkResource(resourceId(engine));
    setClock('2024-05-01T10:10:00.050Z');
    engine.checker.tick();
    expect(timed.checks).toHaveLength(1);
  });

  it('schedules the next check of a cron resource at its slot, with check_every: 1h', async () => {
    const { engine, setClock } = engineAt('2024-05-01T10:07:00Z', [cronResourceType]);
    engine.setPipeline({
      name: 'p',
      text: pipelineWith('- name: r\n  type: cron\n  check_every: 1h\n  source: {expression: "*/15 * * * *", location: Europe/Berlin}'),
    });
    const check = vi.spyOn(cronResourceType, 'check');
    await tickStartingCheck(engine, () => check.mock.calls.length);
    // 10:00 passed before the pipeline was set: no version until the next slot.
    expect(versionsOf(engine)).toEqual([]);
    setClock('2024-05-01T10:15:00.049Z');
    engine.checker.tick();
    expect(check).toHaveBeenCalledTimes(1);
    setClock('2024-05-01T10:15:00.050Z');
    await tickStartingCheck(engine, () => check.mock.calls.length);
    expect(versionsOf(engine)).toEqual([{ time: '2024-05-01T10:15:00.000Z' }]);
  });

  it('once started, wakes up for a due version without waiting for the next tick', async () => {
    const timed = new TimedType();
    const engine = testEngine({ extraTypes: [timed.type], checker: { random: () => 0, tickMs: 3_600_000 } });
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: r\n  type: timed\n  check_every: 1h\n  source: {every_ms: 200}') });
    engine.start();
    await vi.waitFor(() => expect(timed.checks.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    const [first, second] = timed.checks as [number, number];
    expect(second).toBeGreaterThanOrEqual((Math.floor(first / 200) + 1) * 200 + 50);
  });
});
