import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { followBuild } from '../support/builds.js';
import { tempDataDir, testEngine } from '../support/engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A watcher that sets one `child` instance per number in `wanted.json`, as a PR watcher sets one
 * per open PR. Each child's `up` job creates `envs/<n>`; its teardown job removes it.
 */
function fixture(options: { expireAfter?: string; failAfterSet?: boolean; teardownFails?: boolean; slowTeardown?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'weir-lifecycle-'));
  dirs.push(dir);
  const envs = join(dir, 'envs');
  const sh = (script: string) => `{platform: linux, run: {path: sh, args: [-c, ${JSON.stringify(script)}]}}`;
  writeFileSync(
    join(dir, 'child.yml'),
    `jobs:
- name: up
  plan:
  - task: create
    config: ${sh(`mkdir -p ${envs}/((id)) && echo up > ${envs}/((id))/state`)}
- name: teardown
  plan:
  - task: delete
    config: ${sh(`${options.slowTeardown ? `if test -e ${dir}/slow; then sleep 30; fi; ` : ''}${options.teardownFails ? `test -e ${dir}/teardown-ok && ` : ''}rm -rf ${envs}/((id))`)}
teardown_job: teardown
`,
  );
  const watcher = `jobs:
- name: sync
  plan:
  - task: read
    config:
      platform: linux
      outputs: [{name: ci}]
      run: {path: sh, args: [-c, "cp ${dir}/child.yml ${dir}/wanted.json ci/"]}
  - load_var: wanted
    file: ci/wanted.json
  - across:
    - var: num
      values: ((.:wanted))
    set_pipeline: child
    file: ci/child.yml
    instance_vars: {id: ((.:num))}
${options.expireAfter ? `    expire_after: ${options.expireAfter}\n` : ''}${options.failAfterSet ? `  - task: fail\n    config: ${sh('test -e ' + dir + '/sync-ok')}\n` : ''}`;
  return {
    dir,
    envs,
    watcher,
    want(numbers: number[]) {
      writeFileSync(join(dir, 'wanted.json'), JSON.stringify(numbers));
    },
  };
}

async function runSync(engine: Engine) {
  const watcher = engine.store.pipelines.get({ name: 'watcher' })!;
  const build = engine.triggerJob(engine.store.jobs.get(watcher.id, 'sync')!.id);
  return followBuild(engine, build.id);
}

async function runChildJob(engine: Engine, n: number, job: string) {
  const child = engine.store.pipelines.get({ name: 'child', instanceVars: { id: n } })!;
  const build = engine.triggerJob(engine.store.jobs.get(child.id, job)!.id);
  return followBuild(engine, build.id);
}

function child(engine: Engine, n: number) {
  return engine.store.pipelines.get({ name: 'child', instanceVars: { id: n } });
}

/** The teardown build of a child, once the lifecycle pass has started it, followed to its end. */
async function teardownOf(engine: Engine, n: number) {
  for (let i = 0; i < 200 && child(engine, n)?.teardownBuildId == null; i++) await new Promise((r) => setTimeout(r, 10));
  const id = child(engine, n)!.teardownBuildId;
  expect(id).not.toBeNull();
  return followBuild(engine, id!);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** An engine running the watcher of a fresh fixture. */
function startWatcher(options: Parameters<typeof fixture>[0] = {}) {
  const engine = testEngine();
  const f = fixture(options);
  engine.setPipeline({ name: 'watcher', text: f.watcher });
  engine.start();
  return { engine, f };
}

/** Child 2 let go by the watcher, with a teardown that takes a second: started, not yet ended. */
async function whileChild2TearsDown() {
  const engine = testEngine();
  const f = fixture();
  writeFileSync(join(f.dir, 'child.yml'), readFileSync(join(f.dir, 'child.yml'), 'utf8').replace('rm -rf', 'sleep 1; rm -rf'));
  engine.setPipeline({ name: 'watcher', text: f.watcher });
  engine.start();
  f.want([1, 2]);
  await runSync(engine);
  f.want([1]);
  await runSync(engine);
  await until(() => child(engine, 2)!.teardownBuildId !== null, 'the teardown started');
  return { engine, f };
}

describe('pipeline lifecycle: parents let go of the pipelines they stop setting', () => {
  it('tears down and archives an instance a successful build no longer sets, and brings it back when set again', async () => {
    const { engine, f } = startWatcher();
    f.want([1, 2]);
    expect((await runSync(engine)).build.status).toBe('succeeded');
    expect((await runChildJob(engine, 1, 'up')).build.status).toBe('succeeded');
    expect((await runChildJob(engine, 2, 'up')).build.status).toBe('succeeded');
    expect(existsSync(join(f.envs, '2', 'state'))).toBe(true);
    const parentBuild = child(engine, 2)!.parent!.buildId;

    f.want([1]);
    const second = await runSync(engine);
    expect(second.build.status).toBe('succeeded');
    const teardown = await teardownOf(engine, 2);
    expect(teardown.build.status).toBe('succeeded');
    await until(() => child(engine, 2)!.archived, 'child 2 is archived');
    expect(existsSync(join(f.envs, '2'))).toBe(false);
    expect(child(engine, 2)!.retiring).toBe(`child/id:2: build ${second.build.name} of watcher/sync succeeded without setting it`);
    expect(child(engine, 1)!.archived).toBe(false);
    expect(child(engine, 1)!.parent!.buildId).toBe(second.build.id);
    expect(existsSync(join(f.envs, '1', 'state'))).toBe(true);
    expect(parentBuild).toBeLessThan(second.build.id);

    f.want([1, 2]);
    expect((await runSync(engine)).build.status).toBe('succeeded');
    const back = child(engine, 2)!;
    expect({ archived: back.archived, paused: back.paused, retiring: back.retiring }).toEqual({ archived: false, paused: false, retiring: null });
    expect((await runChildJob(engine, 2, 'up')).build.status).toBe('succeeded');
    expect(existsSync(join(f.envs, '2', 'state'))).toBe(true);
  });

  it('lets nothing go when the parent build fails, even after it set fewer pipelines', async () => {
    const { engine, f } = startWatcher({ failAfterSet: true });
    writeFileSync(join(f.dir, 'sync-ok'), '');
    f.want([1, 2]);
    expect((await runSync(engine)).build.status).toBe('succeeded');
    rmSync(join(f.dir, 'sync-ok'));
    f.want([1]);
    expect((await runSync(engine)).build.status).toBe('failed');
    engine.lifecycle.reconcile();
    expect(child(engine, 2)).toMatchObject({ archived: false, retiring: null });
  });

  it('keeps a pipeline whose teardown failed, holds its other jobs, and archives it when a teardown succeeds', async () => {
    const { engine, f } = startWatcher({ teardownFails: true });
    f.want([1, 2]);
    await runSync(engine);
    await runChildJob(engine, 2, 'up');
    f.want([1]);
    await runSync(engine);
    expect((await teardownOf(engine, 2)).build.status).toBe('failed');
    engine.lifecycle.reconcile();
    const stuck = child(engine, 2)!;
    expect(stuck.archived).toBe(false);
    expect(stuck.retiring).toContain('succeeded without setting it');
    expect(stuck.teardownStatus).toBe('failed');
    expect(existsSync(join(f.envs, '2', 'state'))).toBe(true);

    // While it is torn down, its other jobs start nothing, and its parent cannot set it.
    const held = engine.triggerJob(engine.store.jobs.get(stuck.id, 'up')!.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.store.builds.byId(held.id)!.status).toBe('pending');

    // Archiving by hand retries the teardown; this time it succeeds.
    writeFileSync(join(f.dir, 'teardown-ok'), '');
    const outcome = engine.archivePipeline(stuck.id);
    expect(outcome.archived).toBe(false);
    if (outcome.archived) return;
    expect((await followBuild(engine, outcome.teardownBuild.id)).build.status).toBe('succeeded');
    await until(() => child(engine, 2)!.archived, 'child 2 is archived');
    expect(existsSync(join(f.envs, '2'))).toBe(false);
    expect(engine.store.builds.byId(held.id)!.status).toBe('aborted');
  });

  it('sets a pipeline again only once its running teardown has ended', async () => {
    const { engine, f } = await whileChild2TearsDown();
    const teardownId = child(engine, 2)!.teardownBuildId!;
    f.want([1, 2]);
    const again = await runSync(engine);
    expect(again.build.status).toBe('succeeded');
    expect(again.logs.some((line) => line.includes(`waiting for its teardown build (id ${teardownId}) to end`))).toBe(true);
    expect(engine.store.builds.byId(teardownId)!.status).toBe('succeeded');
    engine.lifecycle.reconcile();
    expect(child(engine, 2)).toMatchObject({ archived: false, retiring: null, paused: false });
  });

  it('says why a pipeline cannot be set by hand while its teardown runs', async () => {
    const { engine, f } = await whileChild2TearsDown();
    expect(() => engine.setPipeline({ name: 'child', instanceVars: { id: 2 }, text: readFileSync(join(f.dir, 'child.yml'), 'utf8') })).toThrow(
      expect.objectContaining({ code: 'pipeline-tearing-down', hint: expect.stringContaining('--skip-teardown') }),
    );
    await teardownOf(engine, 2);
    await until(() => child(engine, 2)!.archived, 'child 2 is archived');
  });

  it('lets go of the pipelines of a job that was removed or whose pipeline was destroyed', async () => {
    const { engine, f } = startWatcher();
    f.want([1]);
    await runSync(engine);
    engine.setPipeline({ name: 'watcher', text: f.watcher.replace('name: sync', 'name: other') });
    expect((await teardownOf(engine, 1)).build.status).toBe('succeeded');
    await until(() => child(engine, 1)!.archived, 'child 1 is archived');
    expect(child(engine, 1)!.retiring).toContain('the job that set it (watcher/sync) is gone');

    engine.setPipeline({ name: 'watcher', text: f.watcher });
    f.want([3]);
    await runSync(engine);
    await engine.destroyPipeline(engine.store.pipelines.get({ name: 'watcher' })!.id);
    expect((await teardownOf(engine, 3)).build.status).toBe('succeeded');
    await until(() => child(engine, 3)!.archived, 'child 3 is archived');
    expect(child(engine, 3)!.retiring).toContain('deleted with its pipeline');
  });

  it('tears down an instance its parent has not set for expire_after', async () => {
    let now = Date.parse('2026-11-22T10:00:00Z');
    const engine = testEngine({ now: () => now });
    const f = fixture({ expireAfter: '1h' });
    engine.setPipeline({ name: 'watcher', text: f.watcher });
    engine.start();
    f.want([1]);
    await runSync(engine);
    expect(child(engine, 1)!.expireAfterMs).toBe(3_600_000);
    now += 59 * 60_000;
    engine.lifecycle.reconcile();
    expect(child(engine, 1)!.retiring).toBeNull();
    now += 2 * 60_000;
    engine.lifecycle.reconcile();
    expect(child(engine, 1)!.retiring).toBe('child/id:1: watcher/sync has not set it for 1h (expire_after)');
    expect((await teardownOf(engine, 1)).build.status).toBe('succeeded');
    await until(() => child(engine, 1)!.archived, 'child 1 is archived');
  });

  it('runs a teardown again that the engine stopping cut short', async () => {
    const dataDir = tempDataDir();
    const f = fixture({ slowTeardown: true });
    writeFileSync(join(f.dir, 'slow'), '');
    const first = testEngine({ dataDir });
    first.setPipeline({ name: 'watcher', text: f.watcher });
    first.start();
    f.want([1, 2]);
    await runSync(first);
    await runChildJob(first, 2, 'up');
    f.want([1]);
    await runSync(first);
    await until(() => {
      const id = child(first, 2)?.teardownBuildId;
      return id != null && first.store.builds.byId(id)?.status === 'started';
    }, 'the teardown is running');
    await first.stop();

    rmSync(join(f.dir, 'slow'));
    const second = testEngine({ dataDir });
    const cut = child(second, 2)!;
    expect(second.store.builds.byId(cut.teardownBuildId!)).toMatchObject({ status: 'errored', error: expect.stringContaining('the engine stopped while') });
    second.start();
    await until(() => child(second, 2)!.archived, 'child 2 is archived after its teardown ran again');
    const teardowns = second.store.builds.listForJob(second.store.jobs.get(cut.id, 'teardown')!.id).map((b) => b.status);
    expect(teardowns).toEqual(['succeeded', 'errored']);
    expect(existsSync(join(f.envs, '2'))).toBe(false);
  });

  it('runs the teardown of a paused pipeline archived by hand', async () => {
    const { engine, f } = startWatcher();
    f.want([1]);
    await runSync(engine);
    await runChildJob(engine, 1, 'up');
    engine.store.pipelines.setPaused(child(engine, 1)!.id, true);
    const outcome = engine.archivePipeline(child(engine, 1)!.id);
    if (outcome.archived) throw new Error('expected a teardown build');
    expect((await followBuild(engine, outcome.teardownBuild.id)).build.status).toBe('succeeded');
    await until(() => child(engine, 1)!.archived, 'child 1 is archived');
    expect(child(engine, 1)!.retiring).toBe('archived by hand');
    expect(existsSync(join(f.envs, '1'))).toBe(false);
  });

  it('archives by hand without the teardown when asked to, and at once for a pipeline without one', async () => {
    const { engine, f } = startWatcher();
    f.want([1]);
    await runSync(engine);
    expect(engine.archivePipeline(child(engine, 1)!.id, { skipTeardown: true })).toEqual({ archived: true });
    expect(child(engine, 1)).toMatchObject({ archived: true, retiring: 'archived by hand, without its teardown', teardownBuildId: null });
    const watcher = engine.store.pipelines.get({ name: 'watcher' })!;
    expect(engine.archivePipeline(watcher.id)).toEqual({ archived: true });
  });
});

describe("pipeline lifecycle: what a parent's set changes", () => {
  it('renews an unchanged pipeline without a new config version, and lets no older build roll back a newer one', () => {
    let now = 1_000_000;
    const engine = testEngine({ now: () => now });
    engine.setPipeline({ name: 'watcher', text: 'jobs: [{name: sync, plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]}]' });
    const jobId = engine.store.jobs.get(engine.store.pipelines.get({ name: 'watcher' })!.id, 'sync')!.id;
    const text = 'jobs: [{name: j, plan: [{task: t, config: {platform: linux, run: {path: ((cmd))}}}]}]';
    const set = (buildId: number, cmd: string) => engine.setPipeline({ name: 'child', text, vars: { cmd }, parent: { jobId, buildId, expireAfterMs: null } });

    expect(set(5, 'true').outcome).toBe('created');
    now += 1000;
    const renewed = set(6, 'true');
    expect(renewed.outcome).toBe('unchanged');
    expect(renewed.pipeline).toMatchObject({ configVersion: 1, parent: { jobId, buildId: 6, setAt: now } });
    expect(set(7, 'false').outcome).toBe('updated');
    const older = set(6, 'echo');
    expect(older).toMatchObject({ outcome: 'superseded', supersededBy: 7 });
    expect(older.pipeline).toMatchObject({ configVersion: 2, parent: { buildId: 7 } });
  });

  it('keeps the parent of a pipeline that sets itself by its own name', async () => {
    const engine = testEngine();
    const f = fixture();
    writeFileSync(join(f.dir, 'next.yml'), 'jobs: [{name: other, plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]}]\n');
    const self = `jobs:
- name: reconfigure
  plan:
  - task: read
    config:
      platform: linux
      outputs: [{name: ci}]
      run: {path: sh, args: [-c, "cp ${f.dir}/next.yml ci/me.yml"]}
  - set_pipeline: me
    file: ci/me.yml
`;
    engine.setPipeline({ name: 'me', text: self });
    engine.start();
    const me = engine.store.pipelines.get({ name: 'me' })!;
    const build = engine.triggerJob(engine.store.jobs.get(me.id, 'reconfigure')!.id);
    expect((await followBuild(engine, build.id)).build.status).toBe('succeeded');
    engine.lifecycle.reconcile();
    expect(engine.store.pipelines.get({ name: 'me' })).toMatchObject({ archived: false, parent: null, retiring: null, configVersion: 2 });
  });

  it('does not count time the engine was down against expire_after', async () => {
    let now = Date.parse('2026-11-22T10:00:00Z');
    const dataDir = tempDataDir();
    const f = fixture({ expireAfter: '1h' });
    const first = testEngine({ dataDir, now: () => now });
    first.setPipeline({ name: 'watcher', text: f.watcher });
    first.start();
    f.want([1]);
    await runSync(first);
    await first.stop();
    now += 5 * 3_600_000;
    const second = testEngine({ dataDir, now: () => now });
    second.start();
    second.lifecycle.reconcile();
    expect(child(second, 1)!.retiring).toBeNull();
    now += 61 * 60_000;
    second.lifecycle.reconcile();
    expect(child(second, 1)!.retiring).toContain('has not set it for 1h');
    await teardownOf(second, 1);
    await until(() => child(second, 1)!.archived, 'child 1 is archived');
  });
});
