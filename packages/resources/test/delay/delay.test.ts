import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { delayResourceType as delay } from '../../src/delay/index.js';
import { dueVersions, type ScheduledVersion } from '../../src/delay/schedule.js';
import { testContext } from '../support/context.js';

const T0 = new Date('2024-05-01T10:00:00Z');
const BUILD = { buildId: 3, buildName: '3', jobName: 'demo', pipelineName: 'shop', teamName: 'main', url: 'http://weir/builds/3' };
const SOURCE = { name: 'cleanup' };

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'weir-delay-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

const at = (minutes: number) => testContext({ now: new Date(T0.getTime() + minutes * 60_000), cacheDir, build: BUILD });

describe('delay', () => {
  it('a put schedules a version that check reports only once it is due, and says when the next one is', async () => {
    const put = await delay.put(at(0), SOURCE, { after: '1h' }, '/nonexistent');
    expect(put.version).toEqual({ due: '2024-05-01T11:00:00.000Z', id: expect.stringMatching(/^demo-3-[0-9a-f]{8}$/) });
    expect(await delay.check(at(59), SOURCE)).toEqual([]);
    expect(delay.nextVersionAt!(SOURCE, at(59).now(), cacheDir)).toEqual(new Date('2024-05-01T11:00:00Z'));
    const due = await delay.check(at(60), SOURCE);
    expect(due.map((v) => v.version)).toEqual([put.version]);
    expect(due[0]!.metadata).toEqual(expect.arrayContaining([{ name: 'after', value: '1h' }, { name: 'scheduled_by', value: 'shop/demo #3' }]));
    expect(delay.nextVersionAt!(SOURCE, at(60).now(), cacheDir)).toBeUndefined();
  });

  it('keeps each put apart, and check goes on from the last version it reported', async () => {
    const first = await delay.put(at(0), SOURCE, { after: '10m' }, '/nonexistent');
    const second = await delay.put(at(1), SOURCE, { after: '10m' }, '/nonexistent');
    expect((await delay.check(at(10), SOURCE)).map((v) => v.version)).toEqual([first.version]);
    expect((await delay.check(at(20), SOURCE, first.version)).map((v) => v.version)).toEqual([first.version, second.version]);
  });

  it('get writes the due time and who scheduled it', async () => {
    const put = await delay.put(at(0), SOURCE, { after: '90s' }, '/nonexistent');
    const dir = await mkdtemp(join(tmpdir(), 'weir-delay-get-'));
    try {
      await delay.get(at(2), SOURCE, put.version, {}, dir);
      expect(await readFile(join(dir, 'due'), 'utf8')).toBe('2024-05-01T10:01:30.000Z');
      expect(JSON.parse(await readFile(join(dir, 'scheduled.json'), 'utf8'))).toMatchObject({ after: '90s', build: { job: 'demo', build: '3' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('dueVersions', () => {
  const entry = (minute: number, id: string): ScheduledVersion => ({ due: new Date(T0.getTime() + minute * 60_000).toISOString(), id, after: '1m', scheduledAt: T0.toISOString() });
  const entries = [entry(1, 'a'), entry(2, 'b'), entry(3, 'c'), entry(9, 'later')];
  const now = new Date(T0.getTime() + 5 * 60_000);

  it.each([
    { title: 'without from: the newest due only', from: undefined, ids: ['c'] },
    { title: 'from a known version: it and what came due after', from: entry(2, 'b'), ids: ['b', 'c'] },
    { title: 'from a forgotten version: what came due after it', from: entry(1, 'gone'), ids: ['b', 'c'] },
  ])('$title', ({ from, ids }) => {
    expect(dueVersions(entries, now, from).map((e) => e.id)).toEqual(ids);
  });
});
