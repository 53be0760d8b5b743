import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cronResourceType as cron, type CronSource, type CronVersion } from '../../src/cron/index.js';
import { testContext } from '../support/context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-cron-'));
  dirs.push(dir);
  return dir;
}

/**
 * Runs the resource as the checker would between two instants and returns every version it
 * emitted. `stepMs` checks on a fixed interval; without it, each check comes 50 ms after the
 * slot `nextVersionAt` announced.
 */
async function versionsBetween(source: CronSource, start: string, end: string, stepMs?: number): Promise<string[]> {
  const ctx = testContext({ now: new Date(start) });
  const until = Date.parse(end);
  let latest: CronVersion | undefined;
  const emitted: string[] = [];
  for (;;) {
    const nextCheck = stepMs === undefined ? cron.nextVersionAt!(source, ctx.now(), ctx.cacheDir)?.getTime() : ctx.now().getTime() + stepMs;
    if (nextCheck === undefined || nextCheck > until) return emitted;
    ctx.setNow(new Date(stepMs === undefined ? nextCheck + 50 : nextCheck));
    const found = (await cron.check(ctx, source, latest)).slice(latest ? 1 : 0);
    emitted.push(...found.map((v) => v.version.time));
    latest = found.at(-1)?.version ?? latest;
  }
}

describe('cron resource type across DST changes', () => {
  // Each case: the slots of a fixed-time job over three days around a change, checked at the slots and every 5 minutes.
  it.each([
    [
      'Europe/Berlin, spring: 02:30 does not exist, the slot moves to 03:00 CEST',
      { expression: '30 2 * * *', location: 'Europe/Berlin' },
      ['2024-03-29T12:00:00Z', '2024-04-01T12:00:00Z'],
      ['2024-03-30T01:30:00.000Z', '2024-03-31T01:00:00.000Z', '2024-04-01T00:30:00.000Z'],
    ],
    [
      'Europe/Berlin, autumn: 02:30 happens twice, the slot once (CEST)',
      { expression: '30 2 * * *', location: 'Europe/Berlin' },
      ['2024-10-25T12:00:00Z', '2024-10-28T12:00:00Z'],
      ['2024-10-26T00:30:00.000Z', '2024-10-27T00:30:00.000Z', '2024-10-28T01:30:00.000Z'],
    ],
    [
      'America/New_York, spring: 02:30 does not exist, the slot moves to 03:00 EDT',
      { expression: '30 2 * * *', location: 'America/New_York' },
      ['2024-03-09T12:00:00Z', '2024-03-12T12:00:00Z'],
      ['2024-03-10T07:00:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z'],
    ],
    [
      'America/New_York, autumn: 01:30 happens twice, the slot once (EDT)',
      { expression: '30 1 * * *', location: 'America/New_York' },
      ['2024-11-02T12:00:00Z', '2024-11-05T12:00:00Z'],
      ['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z', '2024-11-05T06:30:00.000Z'],
    ],
    [
      'a list of hours is a fixed time too: 02:00 runs once in spring, after the gap',
      { expression: '0 2,14 * * *', location: 'Europe/Berlin' },
      ['2024-03-30T12:00:00Z', '2024-03-31T23:00:00Z'],
      ['2024-03-30T13:00:00.000Z', '2024-03-31T01:00:00.000Z', '2024-03-31T12:00:00.000Z'],
    ],
  ] as Array<[string, CronSource, [string, string], string[]]>)('%s', async (_name, source, [start, end], slots) => {
    expect(await versionsBetween(source, start, end)).toEqual(slots);
    expect(await versionsBetween(source, start, end, 5 * 60_000)).toEqual(slots);
  });

  it.each([
    ['Europe/Berlin', '2024-03-31T00:00:00Z'],
    ['Europe/Berlin', '2024-10-27T00:00:00Z'],
    ['America/New_York', '2024-03-10T06:00:00Z'],
    ['America/New_York', '2024-11-03T05:00:00Z'],
  ])('a */30 job in %s follows real time through the change at %s: every 30 minutes, none twice', async (location, start) => {
    const emitted = await versionsBetween({ expression: '*/30 * * * *', location }, start, new Date(Date.parse(start) + 3 * 3_600_000).toISOString());
    const gaps = emitted.slice(1).map((time, i) => Date.parse(time) - Date.parse(emitted[i]!));
    expect(emitted).toHaveLength(6);
    expect(new Set(gaps)).toEqual(new Set([30 * 60_000]));
  });
});

describe('cron resource type', () => {
  it('versions are slot times in UTC, not check times, and the given version comes first', async () => {
    const source = { expression: '0 3 * * *', location: 'Europe/Berlin' };
    const ctx = testContext({ now: new Date('2024-05-02T01:00:07Z') });
    const from = { time: '2024-05-01T01:00:00.000Z' };
    expect(await cron.check(ctx, source, from)).toEqual([{ version: from }, { version: { time: '2024-05-02T01:00:00.000Z' } }]);
  });

  it('emits one version for a long outage by default and says that slots were left out', async () => {
    const ctx = testContext({ now: new Date('2024-05-10T12:00:00Z') });
    const versions = await cron.check(ctx, { expression: '0 * * * *' }, { time: '2024-05-01T00:00:00.000Z' });
    expect(versions.map((v) => v.version.time)).toEqual(['2024-05-01T00:00:00.000Z', '2024-05-10T12:00:00.000Z']);
    expect(ctx.lines).toEqual(['slots were missed since 2024-05-01T00:00:00.000Z: a version for the latest only (catch_up: latest)']);
  });

  it('says when the next slot is due, strictly after now', () => {
    const source = { expression: '*/15 * * * *', location: 'America/New_York' };
    expect(cron.nextVersionAt!(source, new Date('2024-05-01T10:07:00Z'), '/nonexistent')).toEqual(new Date('2024-05-01T10:15:00Z'));
    expect(cron.nextVersionAt!(source, new Date('2024-05-01T10:15:00Z'), '/nonexistent')).toEqual(new Date('2024-05-01T10:30:00Z'));
    expect(cron.nextVersionAt!({ expression: '0 0 30 2 *' }, new Date('2024-05-01T10:15:00Z'), '/nonexistent')).toBeUndefined();
  });

  it('gets the slot into `time`, with its local time as metadata', async () => {
    const dir = tempDir();
    const version = { time: '2024-03-31T01:00:00.000Z' };
    const result = await cron.get(testContext(), { expression: '30 2 * * *', location: 'Europe/Berlin' }, version, {}, dir);
    expect(readFileSync(join(dir, 'time'), 'utf8')).toBe('2024-03-31T01:00:00.000Z');
    expect(result).toEqual({
      version,
      metadata: [
        { name: 'scheduled', value: '2024-03-31T03:00:00+02:00' },
        { name: 'expression', value: '30 2 * * *' },
        { name: 'location', value: 'Europe/Berlin' },
      ],
    });
    await expect(cron.get(testContext(), { expression: '0 3 * * *' }, { time: 'soon' }, {}, tempDir())).rejects.toMatchObject({ code: 'cron-version-invalid' });
  });

  it('refuses puts, saying to keep the resource as a get', async () => {
    await expect(cron.put(testContext(), { expression: '0 3 * * *' }, {}, tempDir())).rejects.toMatchObject({
      code: 'cron-put-unsupported',
      hint: expect.stringContaining('trigger: true'),
    });
  });
});
