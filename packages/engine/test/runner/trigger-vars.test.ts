import { describe, expect, it } from 'vitest';
import { followBuild } from '../support/builds.js';
import { testEngine } from '../support/engine.js';

const PIPELINE = `
resources:
- name: tick
  type: mock
  source: {initial_version: "1"}
jobs:
- name: maintenance
  trigger_vars:
  - name: mode
    description: turn the maintenance page on or off
    default: "off"
    values: ["on", "off"]
  - name: note
    default: none
  plan:
  - task: switch
    config:
      platform: linux
      params: {MODE: ((.:mode)), NOTE: ((.:note))}
      run: {path: sh, args: [-c, 'echo "maintenance $MODE ($NOTE)"']}
- name: scheduled
  trigger_vars:
  - name: mode
    default: "off"
  plan:
  - get: tick
    trigger: true
  - task: show
    config:
      platform: linux
      params: {MODE: ((.:mode))}
      run: {path: sh, args: [-c, 'echo "scheduled $MODE"']}
- name: locked
  disable_manual_trigger: true
  disable_reruns: true
  plan:
  - get: tick
    trigger: true
`;

function setUp() {
  const engine = testEngine();
  engine.setPipeline({ name: 'site', text: PIPELINE });
  engine.start();
  const pipeline = engine.store.pipelines.get({ name: 'site' })!;
  const job = (name: string) => engine.store.jobs.get(pipeline.id, name)!.id;
  return { engine, job };
}

const stdout = (result: Awaited<ReturnType<typeof followBuild>>) => result.logs.filter((line) => !line.includes('unsandboxed')).map((line) => line.replace(/^\d+: /, ''));

describe('one-click jobs: trigger_vars', () => {
  it('runs a manual build with the values given, defaults for the rest, and keeps them for a rerun', async () => {
    const { engine, job } = setUp();
    const build = engine.triggerJob(job('maintenance'), { mode: 'on' });
    expect(build.triggerVars).toEqual({ mode: 'on', note: 'none' });
    const result = await followBuild(engine, build.id);
    expect(result.build.status).toBe('succeeded');
    expect(stdout(result)).toEqual(['maintenance on (none)']);

    const rerun = await followBuild(engine, engine.rerunBuild(build.id).id);
    expect(rerun.build.triggerVars).toEqual({ mode: 'on', note: 'none' });
    expect(stdout(rerun)).toEqual(['maintenance on (none)']);
  });

  it('refuses values the job does not take, and creates no build', () => {
    const { engine, job } = setUp();
    expect(() => engine.triggerJob(job('maintenance'), { mode: 'maybe' })).toThrow(expect.objectContaining({ code: 'trigger-var-not-allowed' }));
    expect(() => engine.triggerJob(job('maintenance'), { mood: 'on' })).toThrow(expect.objectContaining({ code: 'trigger-var-unknown' }));
    expect(engine.store.builds.listForJob(job('maintenance'))).toEqual([]);
  });

  it('gives a build the scheduler started the defaults, and records them', async () => {
    const { engine, job } = setUp();
    await engine.checker.checkResource(engine.store.resources.get(engine.store.pipelines.get({ name: 'site' })!.id, 'tick')!.id);
    engine.scheduler.runOnce();
    const [started] = engine.store.builds.listForJob(job('scheduled'));
    const result = await followBuild(engine, started!.id);
    expect(stdout(result)).toEqual(['fetched version 1', 'scheduled off']);
    expect(result.build.triggerVars).toEqual({ mode: 'off' });
  });

  it('enforces disable_manual_trigger and disable_reruns', async () => {
    const { engine, job } = setUp();
    expect(() => engine.triggerJob(job('locked'))).toThrow(expect.objectContaining({ code: 'manual-trigger-disabled' }));
    await engine.checker.checkResource(engine.store.resources.get(engine.store.pipelines.get({ name: 'site' })!.id, 'tick')!.id);
    engine.scheduler.runOnce();
    const [started] = engine.store.builds.listForJob(job('locked'));
    await followBuild(engine, started!.id);
    expect(() => engine.rerunBuild(started!.id)).toThrow(expect.objectContaining({ code: 'reruns-disabled' }));
  });
});
