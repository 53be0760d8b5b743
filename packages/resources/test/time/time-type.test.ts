import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { timeResourceType as time } from '../../src/time/index.js';
import { testContext } from '../support/context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-time-'));
  dirs.push(dir);
  return dir;
}

describe('time resource type', () => {
  it('emits the check time on the first check, then a new one each interval, in the location', async () => {
    const ctx = testContext({ now: new Date('2024-05-01T18:15:00.250Z') });
    const source = { interval: '1h', location: 'Europe/Berlin' };
    const first = await time.check(ctx, source);
    expect(first).toEqual([{ version: { time: '2024-05-01T20:15:00.25+02:00' } }]);
    ctx.setNow(new Date('2024-05-01T19:00:00Z'));
    expect(await time.check(ctx, source, first[0]!.version)).toEqual(first);
    ctx.setNow(new Date('2024-05-01T19:15:00.250Z'));
    expect(await time.check(ctx, source, first[0]!.version)).toEqual([first[0], { version: { time: '2024-05-01T21:15:00.25+02:00' } }]);
  });

  it('emits nothing outside the window unless initial_version asks for a first version', async () => {
    const ctx = testContext({ now: new Date('2024-05-01T12:00:00Z') });
    const source = { start: '8:00 PM', stop: '9:00 PM' };
    expect(await time.check(ctx, source)).toEqual([]);
    expect(await time.check(ctx, { ...source, initial_version: true })).toEqual([{ version: { time: '2024-05-01T12:00:00Z' } }]);
    ctx.setNow(new Date('2024-05-01T20:10:00Z'));
    expect(await time.check(ctx, source)).toEqual([{ version: { time: '2024-05-01T20:10:00Z' } }]);
  });

  it('keeps a version from Concourse with nanoseconds as it is', async () => {
    const ctx = testContext({ now: new Date('2024-05-01T12:00:00Z') });
    const concourse = { time: '2024-05-01T11:30:00.123456789Z' };
    expect(await time.check(ctx, { interval: '1h' }, concourse)).toEqual([{ version: concourse }]);
    await expect(time.check(ctx, { interval: '1h' }, { time: 'yesterday' })).rejects.toMatchObject({ code: 'time-version-invalid' });
  });

  it('gets the version into `timestamp` and the request into `input`, as Concourse does', async () => {
    const dir = tempDir();
    const source = { interval: '5m' };
    const version = { time: '2024-05-01T20:15:00+02:00' };
    expect(await time.get(testContext(), source, version, {}, dir)).toEqual({ version });
    expect(readFileSync(join(dir, 'timestamp'), 'utf8')).toBe('2024-05-01T20:15:00+02:00');
    expect(JSON.parse(readFileSync(join(dir, 'input'), 'utf8'))).toEqual({ source, version });
  });

  it('puts a version for the current time in the location', async () => {
    const ctx = testContext({ now: new Date('2024-01-10T09:00:00Z') });
    expect(await time.put(ctx, { location: 'America/New_York' }, {}, tempDir())).toEqual({ version: { time: '2024-01-10T04:00:00-05:00' } });
  });

  it('says which field is wrong and how to write it', async () => {
    const ctx = testContext();
    await expect(time.check(ctx, { interval: '1 hour' })).rejects.toMatchObject({ code: 'time-interval-invalid', message: expect.stringContaining('source.interval "1 hour"') });
    await expect(time.put(ctx, { location: 'Berlin' }, {}, tempDir())).rejects.toMatchObject({ code: 'time-location-unknown', hint: expect.stringContaining('Europe/Berlin') });
  });
});
