import { describe, expect, it, vi } from 'vitest';
import { BuildEventLog, createLogger, Store } from '../../src/index.js';
import { BuildFinisher } from '../../src/runner/build-finisher.js';

describe('build finisher', () => {
  it('writes the final events of builds ending in the same turn in one commit, then ends their followers', async () => {
    const store = Store.open({ dataDir: ':memory:' });
    store.pipelines.save({
      ref: { name: 'p' },
      configJson: '{}',
      resources: [],
      jobs: [{ name: 'j', configJson: '{}', inputResources: [], upstreamJobs: [], serialGroups: [] }],
    });
    const jobId = store.jobs.get(store.pipelines.get({ name: 'p' })!.id, 'j')!.id;
    const ids = [1, 2, 3].map(() => {
      const id = store.builds.createManual(jobId).id;
      store.builds.start(id, jobId, []);
      return id;
    });
    const logger = createLogger({ level: 'silent' });
    const events = new BuildEventLog({ store: store.buildEvents, isFinished: (id) => store.builds.byId(id)?.status !== 'started', logger });
    const finisher = new BuildFinisher(store, events, logger);
    const followed = ids.map(async (id) => {
      const seen: string[] = [];
      for await (const event of events.follow(id)) seen.push(event.type);
      return seen;
    });
    const writes = vi.spyOn(store.buildEvents, 'append');

    await Promise.all(ids.map((buildId) => finisher.finish({ buildId, status: 'succeeded', outputs: [] })));

    expect(writes).toHaveBeenCalledTimes(1);
    expect(await Promise.all(followed)).toEqual([['status'], ['status'], ['status']]);
    expect(ids.map((id) => store.buildEvents.list(id).map((e) => e.type))).toEqual([['status'], ['status'], ['status']]);
  });
});
