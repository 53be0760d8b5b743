import { implementedResourceTypes } from '@weir/resources';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { silentLogger, tempDataDir, testEngine } from '../support/engine.js';
import { followBuild, outcomes } from '../support/builds.js';

const LONG_JOB = `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
jobs:
- name: job
  plan:
  - get: app
  - task: long
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo started; sleep 60']}
    on_abort:
      task: after-abort
      config:
        platform: linux
        run: {path: sh, args: [-c, 'echo cleaning up after abort']}
  ensure:
    task: always
    config:
      platform: linux
      run: {path: echo, args: [ensured]}
`;

/** Resolves once the build has printed `line`. */
async function waitForLine(engine: Engine, buildId: number, line: string): Promise<void> {
  for await (const event of engine.events.follow(buildId)) {
    if (event.type === 'log' && event.data.line === line) return;
  }
  throw new Error(`build ${buildId} ended without printing ${line}`);
}

function jobId(engine: Engine): number {
  const pipeline = engine.store.pipelines.get({ name: 'p' })!;
  return engine.store.jobs.get(pipeline.id, 'job')!.id;
}

describe('runner: build lifecycle', () => {
  it('aborts a running build: the task is killed, on_abort and ensure run, the build is aborted', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: LONG_JOB });
    engine.start();
    const build = engine.triggerJob(jobId(engine));
    await waitForLine(engine, build.id, 'started');
    engine.abortBuild(build.id);
    const result = await followBuild(engine, build.id);
    expect(result.build.status).toBe('aborted');
    expect(outcomes(result)).toMatchObject({ long: 'aborted', 'after-abort': 'succeeded', always: 'succeeded' });
    expect(result.events.at(-1)).toMatchObject({ type: 'status', data: { status: 'aborted' } });
  });

  it('aborts a pending build, and refuses to abort one that has ended', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: LONG_JOB });
    const build = engine.triggerJob(jobId(engine));
    expect(engine.abortBuild(build.id).status).toBe('aborted');
    expect(() => engine.abortBuild(build.id)).toThrow(expect.objectContaining({ code: 'build-not-running' }));
  });

  it('ends running builds as errored when the engine stops, and settles them after a crash', async () => {
    const dataDir = tempDataDir();
    const open = () => Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: silentLogger });
    const first = open();
    first.setPipeline({ name: 'p', text: LONG_JOB });
    first.start();
    const stopped = first.triggerJob(jobId(first));
    await waitForLine(first, stopped.id, 'started');
    await first.stop();
    const afterStop = open();
    expect(afterStop.store.builds.byId(stopped.id)).toMatchObject({ status: 'errored', error: expect.stringMatching(/engine stopped/) });

    // A build left `started` (as a crash leaves it) is settled when the engine opens again.
    const pending = afterStop.triggerJob(jobId(afterStop));
    afterStop.scheduler.runOnce();
    expect(afterStop.store.builds.byId(pending.id)!.status).toBe('started');
    await afterStop.stop();
    const reopened = open();
    try {
      const settled = reopened.store.builds.byId(pending.id)!;
      expect(settled).toMatchObject({ status: 'errored', error: expect.stringMatching(/crash or kill/) });
      const events = reopened.events.list(pending.id);
      expect(events.at(-1)).toMatchObject({ type: 'status', data: { status: 'errored' } });
      // Events numbered but never written before a crash may have reached a client: the
      // numbers after the restart skip past them, so resuming from any of them misses nothing.
      const [interrupted] = events.filter((e) => e.type === 'error');
      expect(interrupted!.seq).toBeGreaterThan(events.filter((e) => e.type !== 'error' && e.seq < interrupted!.seq).length + 1000);
    } finally {
      await reopened.stop();
    }
  });

  it('ends followers of pending builds when the pipeline is archived', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: LONG_JOB });
    const build = engine.triggerJob(jobId(engine));
    engine.start();
    const followed = followBuild(engine, build.id);
    engine.store.pipelines.archive(engine.store.pipelines.get({ name: 'p' })!.id);
    const result = await followed;
    expect(result.build).toMatchObject({ status: 'aborted', error: expect.stringMatching(/archived/) });
    expect(result.events.at(-1)).toMatchObject({ type: 'status', data: { status: 'aborted' } });
  });

  it('destroys a pipeline while its build runs: the build is aborted first, other builds go on', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: LONG_JOB });
    engine.setPipeline({ name: 'q', text: LONG_JOB });
    engine.start();
    const other = engine.store.jobs.get(engine.store.pipelines.get({ name: 'q' })!.id, 'job')!.id;
    const doomed = engine.triggerJob(jobId(engine));
    const survivor = engine.triggerJob(other);
    await Promise.all([waitForLine(engine, doomed.id, 'started'), waitForLine(engine, survivor.id, 'started')]);
    await engine.destroyPipeline(engine.store.pipelines.get({ name: 'p' })!.id);
    expect(engine.store.builds.byId(doomed.id)).toBeUndefined();
    engine.abortBuild(survivor.id);
    const result = await followBuild(engine, survivor.id);
    expect(result.build.status).toBe('aborted');
    expect(result.logs.some((line) => line.endsWith(': started'))).toBe(true);
  });

  it('keeps two in-memory engines\' builds apart, though their build ids are the same', async () => {
    const text = `
jobs:
- name: job
  plan:
  - task: write-and-read
    config:
      platform: linux
      outputs: [{name: o}]
      run: {path: sh, args: [-c, 'echo $BUILD_PIPELINE_NAME > o/f; sleep 0.3; cat o/f']}
`;
    const [a, b] = [testEngine(), testEngine()];
    for (const [engine, name] of [[a, 'a'], [b, 'b']] as const) {
      engine.setPipeline({ name: 'p', text: text.replace('$BUILD_PIPELINE_NAME', name) });
      engine.start();
    }
    const [ra, rb] = await Promise.all([a, b].map((engine) => followBuild(engine, engine.triggerJob(jobId(engine)).id)));
    expect([ra!.build.id, rb!.build.id]).toEqual([1, 1]);
    expect([ra!.build.status, rb!.build.status]).toEqual(['succeeded', 'succeeded']);
    expect([ra!.logs.at(-1), rb!.logs.at(-1)]).toEqual(['2: a', '2: b']);
  });

  it('reruns a build with its original input versions', async () => {
    const engine = testEngine();
    engine.setPipeline({
      name: 'p',
      text: `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
jobs:
- name: job
  plan:
  - get: app
  - task: show
    config:
      platform: linux
      inputs: [{name: app}]
      run: {path: cat, args: [app/version]}
`,
    });
    engine.start();
    const first = await followBuild(engine, engine.triggerJob(jobId(engine)).id);
    expect(first.logs).toEqual(expect.arrayContaining(['3: v1']));
    const pipeline = engine.store.pipelines.get({ name: 'p' })!;
    const app = engine.store.resources.get(pipeline.id, 'app')!;
    await engine.checker.checkResource(app.id, { version: 'v2' });
    const rerun = await followBuild(engine, engine.rerunBuild(first.build.id).id);
    expect(rerun.build).toMatchObject({ name: '1.1', status: 'succeeded' });
    expect(rerun.logs).toEqual(expect.arrayContaining(['3: v1']));
    const fresh = await followBuild(engine, engine.triggerJob(jobId(engine)).id);
    expect(fresh.logs).toEqual(expect.arrayContaining(['3: v2']));
  });
});
