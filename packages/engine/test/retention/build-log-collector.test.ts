import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../../src/runner/events/build-event.js';
import { testEngine } from '../support/engine.js';

const PIPELINE = `
resources:
- name: repo
  type: mock
  source: {initial_version: a}
jobs:
- name: build
  build_log_retention: {builds: 2}
  plan:
  - get: repo
- name: keep-all
  plan:
  - get: repo
`;

describe('build log collector', () => {
  it("deletes the log lines of builds past the job's build_log_retention and keeps their steps, statuses and seqs", async () => {
    const engine = testEngine();
    const { pipeline } = engine.setPipeline({ name: 'app', text: PIPELINE });
    const jobs = engine.store.jobs.idsByName(pipeline.id);
    const run = (jobId: number): number => {
      const build = engine.store.builds.createManual(jobId);
      engine.store.builds.start(build.id, jobId, []);
      const at = 1;
      const events: BuildEvent[] = [
        { buildId: build.id, seq: 1, at, type: 'status', data: { status: 'started' } },
        { buildId: build.id, seq: 2, at, type: 'step-started', origin: '1', data: { kind: 'task', name: 'unit' } },
        ...[3, 4, 5].map((seq): BuildEvent => ({ buildId: build.id, seq, at, type: 'log', origin: '1', data: { stream: 'stdout', line: `line ${seq}` } })),
        { buildId: build.id, seq: 6, at, type: 'step-finished', origin: '1', data: { outcome: 'succeeded', exit_status: 0 } },
      ];
      engine.store.buildEvents.append(events);
      engine.store.builds.finish(build.id, 'succeeded');
      return build.id;
    };
    const builds = [1, 2, 3, 4].map(() => run(jobs.get('build')!));
    const other = run(jobs.get('keep-all')!);

    expect(await engine.buildLogCollector.runOnce()).toEqual({ jobs: 1, builds: 2, lines: 6 });

    for (const id of builds.slice(0, 2)) {
      expect(engine.store.buildEvents.list(id).map((e) => [e.seq, e.type, e.type === 'log' ? e.data.line : ''])).toEqual([
        [1, 'status', ''],
        [2, 'step-started', ''],
        [3, 'log', "3 log lines were deleted by build log retention (the job's build_log_retention, or the engine's default)"],
        [6, 'step-finished', ''],
      ]);
      // A client resuming after the deleted lines still gets what followed.
      expect(engine.store.buildEvents.list(id, 4).map((e) => e.seq)).toEqual([6]);
    }
    for (const id of [...builds.slice(2), other]) expect(engine.store.buildEvents.list(id)).toHaveLength(6);
    expect(await engine.buildLogCollector.runOnce()).toEqual({ jobs: 1, builds: 0, lines: 0 });
  });

  it("applies the engine's default retention to jobs that say nothing, and its maximum to those that keep more", async () => {
    const engine = testEngine({ buildLogRetention: { defaultBuilds: 1, maxBuilds: 2 } });
    const text = PIPELINE.replace('build_log_retention: {builds: 2}', 'build_log_retention: {builds: 50}');
    const { pipeline } = engine.setPipeline({ name: 'app', text });
    const jobs = engine.store.jobs.idsByName(pipeline.id);
    const run = (jobId: number): number => {
      const build = engine.store.builds.createManual(jobId);
      engine.store.builds.start(build.id, jobId, []);
      engine.store.buildEvents.append([{ buildId: build.id, seq: 1, at: 1, type: 'log', origin: '1', data: { stream: 'stdout', line: 'a line' } }]);
      engine.store.builds.finish(build.id, 'succeeded');
      return build.id;
    };
    const capped = [1, 2, 3, 4].map(() => run(jobs.get('build')!));
    const defaulted = [1, 2, 3].map(() => run(jobs.get('keep-all')!));
    // build keeps 2 (its 50, held to the maximum), keep-all keeps 1 (the default).
    expect(await engine.buildLogCollector.runOnce()).toEqual({ jobs: 2, builds: 4, lines: 4 });
    const hasLine = (id: number) => engine.store.buildEvents.list(id).some((e) => e.type === 'log' && e.data.line === 'a line');
    expect(capped.map(hasLine)).toEqual([false, false, true, true]);
    expect(defaulted.map(hasLine)).toEqual([false, false, true]);
  });
});
