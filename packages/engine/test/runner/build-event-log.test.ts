import { describe, expect, it } from 'vitest';
import { BuildEventLog, createLogger, Store, type BuildEvent } from '../../src/index.js';

function setup(options: { maxPending?: number } = {}) {
  const store = Store.open({ dataDir: ':memory:' });
  // Build events reference a build row; any build will do for the log itself.
  store.pipelines.save({
    ref: { name: 'p' },
    configJson: '{}',
    resources: [],
    jobs: [{ name: 'j', configJson: '{}', inputResources: [], upstreamJobs: [], serialGroups: [] }],
  });
  const jobId = store.jobs.get(store.pipelines.get({ name: 'p' })!.id, 'j')!.id;
  const buildId = store.builds.createManual(jobId).id;
  const finished = new Set<number>();
  const log = new BuildEventLog({ store: store.buildEvents, isFinished: (id) => finished.has(id), logger: createLogger({ level: 'silent' }), ...options });
  return { store, log, buildId, finished };
}

const line = (n: number) => ({ type: 'log' as const, origin: '1', data: { stream: 'stdout' as const, line: `line ${n}` } });

describe('build event log', () => {
  it('numbers events, stores them in batches, and lists them after a given seq', () => {
    const { store, log, buildId } = setup({ maxPending: 3 });
    for (let i = 1; i <= 7; i++) log.append(buildId, line(i));
    // Two full batches are written; the seventh waits for the interval.
    expect(store.buildEvents.lastSeq(buildId)).toBe(6);
    expect(log.list(buildId, 5).map((e) => e.seq)).toEqual([6, 7]);
    expect(store.buildEvents.lastSeq(buildId)).toBe(7);
  });

  it('streams stored and live events to a follower and ends when the build closes', async () => {
    const { log, buildId, finished } = setup();
    log.append(buildId, line(1));
    const seen: BuildEvent[] = [];
    const following = (async () => {
      for await (const event of log.follow(buildId)) seen.push(event);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    log.append(buildId, line(2));
    log.append(buildId, { type: 'status', data: { status: 'succeeded' } });
    finished.add(buildId);
    log.close(buildId);
    await following;
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3]);
    // A follower of a finished build reads the stored events and ends.
    const replay: number[] = [];
    for await (const event of log.follow(buildId, 1)) replay.push(event.seq);
    expect(replay).toEqual([2, 3]);
  });

  it('a follower that falls behind reads from the store and misses nothing', async () => {
    const { log, buildId, finished } = setup();
    const seqs: number[] = [];
    const iterator = log.follow(buildId)[Symbol.asyncIterator]();
    const first = iterator.next();
    log.append(buildId, line(0));
    seqs.push((await first).value!.seq);
    // Far more than a live queue holds, while the follower reads nothing.
    for (let i = 1; i <= 25_000; i++) log.append(buildId, line(i));
    finished.add(buildId);
    log.close(buildId);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) seqs.push(next.value.seq);
    expect(seqs).toHaveLength(25_001);
    expect(seqs.every((seq, i) => seq === i + 1)).toBe(true);
  });
});
