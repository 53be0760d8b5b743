import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { implementedResourceTypes } from '@weir/resources';
import { describe, expect, it } from 'vitest';
import { Engine, PipelineInvalidError, WeirError } from '../../src/index.js';
import { silentLogger, tempDataDir, testEngine } from '../support/engine.js';

const PIPELINE = `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
jobs:
- name: unit
  plan:
  - get: app
    trigger: true
- name: deploy
  plan:
  - get: app
    trigger: true
    passed: [unit]
`;

function ids(engine: Engine) {
  const pipeline = engine.store.pipelines.get({ name: 'app' })!;
  const jobs = engine.store.jobs.idsByName(pipeline.id);
  return { pipeline, unit: jobs.get('unit')!, deploy: jobs.get('deploy')!, app: engine.store.resources.get(pipeline.id, 'app')! };
}

describe('engine: set, check, schedule', () => {
  it('runs a version through unit and then deploy', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    const { unit, deploy, app } = ids(engine);

    expect((await engine.checker.checkResource(app.id)).newVersions).toBe(1);
    const first = engine.scheduler.runOnce();
    expect(first.startedBuildIds).toHaveLength(1);
    const [unitBuild] = engine.store.builds.listForJob(unit);
    expect(unitBuild).toMatchObject({ name: '1', status: 'started' });
    const version = engine.store.resources.latestVersion(app.scopeId)!;
    expect(engine.store.builds.inputs(unitBuild!.id)).toEqual([{ name: 'app', resourceId: app.id, versionId: version.id, firstOccurrence: true }]);
    expect(engine.store.builds.listForJob(deploy)).toEqual([]);

    engine.store.builds.finish(unitBuild!.id, 'succeeded');
    engine.scheduler.runOnce();
    const [deployBuild] = engine.store.builds.listForJob(deploy);
    expect(deployBuild).toMatchObject({ name: '1', status: 'started' });
    expect(engine.store.builds.inputs(deployBuild!.id)[0]!.versionId).toBe(version.id);

    // Nothing changed: a pass finds nothing to do and requests nothing.
    expect(engine.scheduler.runOnce().jobIds).toEqual([]);
  });

  it('decides a large request in slices, each serial group whole, with the builds one pass would start', async () => {
    const text = `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
jobs:
${['a', 'b', 'c', 'd', 'e'].map((name) => `- name: ${name}\n  serial_groups: [${name === 'a' || name === 'e' ? 'shared' : name}]\n  plan:\n  - get: app\n    trigger: true`).join('\n')}
`;
    // No time target: a loaded machine must not make the slices smaller than the test expects.
    const sliced = testEngine({ schedulerMaxJobsPerPass: 2, schedulerPassTargetMs: Number.POSITIVE_INFINITY });
    const whole = testEngine();
    const passes: Array<{ jobs: number; remaining: number }> = [];
    for (const engine of [sliced, whole]) {
      engine.setPipeline({ name: 'app', text });
      await engine.checker.checkResource(ids(engine).app.id);
    }
    for (let pass = sliced.scheduler.runOnce(); ; pass = sliced.scheduler.runOnce()) {
      passes.push({ jobs: pass.jobIds.length, remaining: pass.remainingJobCount });
      if (pass.remainingJobCount === 0) break;
    }
    whole.scheduler.runOnce();
    expect(passes).toEqual([
      { jobs: 2, remaining: 3 },
      { jobs: 2, remaining: 1 },
      { jobs: 1, remaining: 0 },
    ]);
    const started = (engine: Engine) =>
      [...engine.store.jobs.idsByName(ids(engine).pipeline.id)].map(([name, id]) => `${name}:${engine.store.builds.listForJob(id).map((b) => b.status).join()}`).sort();
    // Job a decided in the first slice took its serial group peer e along: e has one build, not two.
    expect(started(sliced)).toEqual(['a:started', 'b:started', 'c:started', 'd:started', 'e:pending']);
    expect(started(sliced)).toEqual(started(whole));
  });

  it('does not trigger deploy from a unit build that failed', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    const { unit, deploy, app } = ids(engine);
    await engine.checker.checkResource(app.id);
    engine.scheduler.runOnce();
    engine.store.builds.finish(engine.store.builds.listForJob(unit)[0]!.id, 'failed');
    engine.scheduler.runOnce();
    expect(engine.store.builds.listForJob(deploy)).toEqual([]);
    expect(engine.scheduler.explain(deploy)?.inputs[0]?.candidates[0]?.rejections.map((r) => r.code)).toContain('not-passed');
  });

  it('explains that deploy waits because the source of its input changed and unit has not used the new history', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    const { unit, deploy, app } = ids(engine);
    await engine.checker.checkResource(app.id);
    engine.scheduler.runOnce();
    engine.store.builds.finish(engine.store.builds.listForJob(unit)[0]!.id, 'succeeded');
    engine.scheduler.runOnce();
    engine.store.builds.finish(engine.store.builds.listForJob(deploy)[0]!.id, 'succeeded');
    engine.store.jobs.setPaused(unit, true);

    engine.setPipeline({ name: 'app', text: PIPELINE.replace('initial_version: v1', 'initial_version: w1') });
    await engine.checker.checkResource(app.id);
    engine.scheduler.runOnce();
    const reasons = engine.scheduler.explain(deploy)?.inputs[0]?.reasons;
    expect(reasons?.map((r) => r.code)).toEqual(['source-changed']);
    expect(reasons?.[0]?.message).toMatch(/source of app changed/);
  });

  it('refuses a pipeline with errors or a missing var, and keeps the stored one', () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    const broken = PIPELINE.replace('passed: [unit]', 'passed: [unitt]');
    expect(() => engine.setPipeline({ name: 'app', text: broken })).toThrow(PipelineInvalidError);
    const withVar = PIPELINE.replace('initial_version: v1', 'initial_version: ((tag))');
    expect(() => engine.setPipeline({ name: 'app', text: withVar })).toThrow(/tag/);
    expect(engine.setPipeline({ name: 'app', text: withVar, vars: { tag: 'v7' } }).pipeline.configVersion).toBe(2);
  });

  it('takes instance vars as vars, and refuses a pipeline name it could not store', () => {
    const engine = testEngine();
    const text = PIPELINE.replace('initial_version: v1', 'initial_version: pr-((pr))');
    const { pipeline } = engine.setPipeline({ name: 'pr', instanceVars: { pr: 7 }, text, vars: { pr: 1 } });
    const app = engine.store.resources.get(pipeline.id, 'app')!;
    expect(app.config.source).toEqual({ initial_version: 'pr-7' });
    for (const name of ['', '  ', 'team/app']) {
      expect(() => engine.setPipeline({ name, text: PIPELINE })).toThrow(expect.objectContaining({ code: 'pipeline-name-invalid' }));
    }
  });

  it('reruns a build with its own inputs, and refuses to rerun one that never started', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    const { unit, app } = ids(engine);
    await engine.checker.checkResource(app.id);
    engine.scheduler.runOnce();
    const first = engine.store.builds.listForJob(unit)[0]!;
    const v1 = engine.store.builds.inputs(first.id)[0]!.versionId;
    engine.store.builds.finish(first.id, 'failed');
    engine.store.resources.saveCheckedVersions(app.scopeId, [{ version: { version: 'v2' } }]);
    engine.scheduler.runOnce();
    const second = engine.store.builds.listForJob(unit)[0]!;
    engine.store.builds.finish(second.id, 'succeeded');

    const rerun = engine.store.builds.createRerun(first.id);
    expect(rerun).toMatchObject({ name: '1.1', status: 'pending', rerunOf: first.id });
    engine.scheduler.runOnce();
    expect(engine.store.builds.byId(rerun.id)!.status).toBe('started');
    expect(engine.store.builds.inputs(rerun.id)[0]!.versionId).toBe(v1);
    expect(engine.store.builds.createRerun(rerun.id).name).toBe('1.2');

    const manual = engine.store.builds.createManual(unit);
    engine.store.builds.finish(manual.id, 'aborted');
    expect(() => engine.store.builds.createRerun(manual.id)).toThrow(expect.objectContaining({ code: 'build-not-started' }));
  });

  it('starts a rerun in the queue place of the build it reruns, ahead of builds created after that one', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE.replace('- name: unit\n', '- name: unit\n  serial: true\n') });
    const { unit, app } = ids(engine);
    await engine.checker.checkResource(app.id);
    engine.scheduler.runOnce();
    const first = engine.store.builds.listForJob(unit)[0]!;
    engine.store.builds.finish(first.id, 'failed');
    const running = engine.store.builds.createManual(unit);
    engine.scheduler.runOnce();
    expect(engine.store.builds.byId(running.id)!.status).toBe('started');

    const queued = engine.store.builds.createManual(unit);
    const rerun = engine.store.builds.createRerun(first.id);
    engine.scheduler.runOnce();
    expect([engine.store.builds.byId(queued.id)!.status, engine.store.builds.byId(rerun.id)!.status]).toEqual(['pending', 'pending']);

    engine.store.builds.finish(running.id, 'succeeded');
    engine.scheduler.runOnce();
    expect([engine.store.builds.byId(queued.id)!.status, engine.store.builds.byId(rerun.id)!.status]).toEqual(['pending', 'started']);
  });

  it('detects a concurrent change through the config version', () => {
    const engine = testEngine();
    const { pipeline } = engine.setPipeline({ name: 'app', text: PIPELINE });
    engine.setPipeline({ name: 'app', text: PIPELINE, expectedConfigVersion: pipeline.configVersion });
    const stale = (): unknown => engine.setPipeline({ name: 'app', text: PIPELINE, expectedConfigVersion: pipeline.configVersion });
    expect(stale).toThrow(WeirError);
    try {
      stale();
    } catch (error) {
      expect((error as WeirError).code).toBe('pipeline-config-conflict');
    }
    expect(() => engine.setPipeline({ name: 'new', text: PIPELINE, expectedConfigVersion: 1 })).toThrow(/changed since/);
  });
});

describe('engine: serial groups and explanations through the store', () => {
  const SERIAL = `
resources:
- name: app
  type: mock
  source: {}
jobs:
- name: a
  serial_groups: [deploy]
  plan: [{get: app, trigger: true}]
- name: b
  serial_groups: [deploy]
  plan: [{get: app, trigger: true}]
`;

  it('runs one build of a serial group at a time, the older pending one first', async () => {
    const engine = testEngine();
    const { pipeline } = engine.setPipeline({ name: 'p', text: SERIAL });
    const jobs = engine.store.jobs.idsByName(pipeline.id);
    await engine.checker.checkResource(engine.store.resources.get(pipeline.id, 'app')!.id);
    engine.scheduler.runOnce();
    const statuses = (): string[][] =>
      ['a', 'b'].map((name) => engine.store.builds.listForJob(jobs.get(name)!).map((build) => build.status));
    expect(statuses()).toEqual([['started'], ['pending']]);
    expect(engine.scheduler.explain(jobs.get('b')!)?.blockers.map((r) => r.code)).toContain('serial-group-busy');
    engine.store.builds.finish(engine.store.builds.listForJob(jobs.get('a')!)[0]!.id, 'succeeded');
    // Only job a was requested by its build finishing; job b is its serial-group peer.
    engine.scheduler.runOnce();
    expect(statuses()).toEqual([['succeeded'], ['started']]);
  });

  it('explains a paused job', async () => {
    const engine = testEngine();
    const { pipeline } = engine.setPipeline({ name: 'p', text: SERIAL });
    const a = engine.store.jobs.idsByName(pipeline.id).get('a')!;
    engine.store.jobs.setPaused(a, true);
    await engine.checker.checkResource(engine.store.resources.get(pipeline.id, 'app')!.id);
    engine.scheduler.runOnce();
    expect(engine.store.builds.listForJob(a)).toEqual([]);
    expect(engine.scheduler.explain(a)?.blockers.map((r) => r.code)).toEqual(['job-paused']);
  });
});

describe('engine: restart on the same data directory', () => {
  it('carries on from the same versions and builds', async () => {
    const dataDir = tempDataDir();
    const open = (): Engine => Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: silentLogger });
    const before = open();
    before.setPipeline({ name: 'app', text: PIPELINE });
    const { unit, app } = ids(before);
    await before.checker.checkResource(app.id);
    before.scheduler.runOnce();
    const manual = before.store.builds.createManual(unit);
    expect(manual).toMatchObject({ name: '2', status: 'pending' });
    await before.stop();

    const after = open();
    try {
      const again = ids(after);
      expect(again.app.id).toBe(app.id);
      expect(after.store.resources.listVersions(app.id).map((v) => v.version)).toEqual([{ version: 'v1' }]);
      // Build 1 was running when the engine stopped: nothing can resume it, so it ended errored.
      expect(after.store.builds.listForJob(unit).map((b) => [b.name, b.status])).toEqual([
        ['2', 'pending'],
        ['1', 'errored'],
      ]);
      // The pending build is kept and still requested; it starts, and numbering goes on.
      after.scheduler.runOnce();
      expect(after.store.builds.byId(manual.id)!.status).toBe('started');
      expect(after.store.builds.createManual(unit).name).toBe('3');
    } finally {
      await after.stop();
    }
  });

  it('refuses a second engine on a data directory in use, also from another process', async () => {
    const dataDir = tempDataDir();
    const first = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: silentLogger });
    try {
      expect(() => Engine.open({ dataDir, resourceTypes: [], logger: silentLogger })).toThrow(/in use by the engine with pid \d+/);
    } finally {
      await first.stop();
    }

    // A holder in another process, killed with SIGKILL, leaves no stale lock.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { default: D } = await import(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new D(${JSON.stringify(`${dataDir}/engine.lock`)}, { timeout: 0 });
         db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE; COMMIT');
         console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(holder.stdout!, 'data');
    expect(() => Engine.open({ dataDir, resourceTypes: [], logger: silentLogger })).toThrow(WeirError);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const next = Engine.open({ dataDir, resourceTypes: [], logger: silentLogger });
    await next.stop();
  });
});
