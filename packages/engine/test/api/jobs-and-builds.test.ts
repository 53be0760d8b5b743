import { describe, expect, it } from 'vitest';
import { setTestPipeline, testApi } from '../support/api.js';

describe('API: jobs', () => {
  it('lists and shows jobs, and pauses one', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const jobs = await api.call('/pipelines/app/jobs');
    expect(jobs.body.map((j: { name: string }) => j.name)).toEqual(['unit', 'deploy']);
    expect(jobs.body[0]).toMatchObject({ paused: false, next_build_number: 1, finished_build: null, next_build: null });

    expect((await api.call('/pipelines/app/jobs/unit/pause', { method: 'POST' })).body.paused).toBe(true);
    expect((await api.call('/pipelines/app/jobs/unit')).body.paused).toBe(true);
    expect((await api.call('/pipelines/app/jobs/unit/unpause', { method: 'POST' })).body.paused).toBe(false);
  });

  it('triggers a build that waits as pending, and shows it everywhere', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const triggered = await api.call('/pipelines/app/jobs/unit/builds', { method: 'POST' });
    expect(triggered.status).toBe(200);
    expect(triggered.body).toMatchObject({
      name: '1',
      status: 'pending',
      manually_triggered: true,
      pipeline_name: 'app',
      pipeline_instance_vars: {},
      job_name: 'unit',
      team: 'main',
    });
    const id = triggered.body.id;
    expect((await api.call(`/builds/${id}`)).body).toEqual(triggered.body);
    expect((await api.call('/pipelines/app/jobs/unit/builds')).body).toEqual([triggered.body]);
    expect((await api.call('/builds')).body).toEqual([triggered.body]);
    expect((await api.call('/pipelines/app/jobs/unit')).body.next_build).toEqual(triggered.body);

    const plan = await api.call(`/builds/${id}/plan`);
    expect(plan.status).toBe(404);
    expect(plan.body.error.code).toBe('build-has-no-plan');
  });

  it('triggers a one-click job with values, shows them on the build, and answers 400 for a bad one', async () => {
    const api = await testApi();
    const config = `
jobs:
- name: maintenance
  trigger_vars:
  - {name: mode, default: "off", values: ["on", "off"]}
  plan:
  - task: switch
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo ((.:mode))']}
`;
    expect((await api.call('/pipelines/site/config', { method: 'PUT', body: { config } })).status).toBe(200);
    const triggered = await api.call('/pipelines/site/jobs/maintenance/builds', { method: 'POST', body: { vars: { mode: 'on' } } });
    expect(triggered.body).toMatchObject({ name: '1', trigger_vars: { mode: 'on' } });
    expect((await api.call(`/builds/${triggered.body.id}`)).body.trigger_vars).toEqual({ mode: 'on' });
    expect((await api.call('/pipelines/site/jobs/maintenance/builds', { method: 'POST' })).body.trigger_vars).toEqual({ mode: 'off' });
    const refused = await api.call('/pipelines/site/jobs/maintenance/builds', { method: 'POST', body: { vars: { mode: 'maybe' } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'trigger-var-not-allowed', hint: 'allowed: on, off' });
  });

  it('lists jobs as each job shows itself: its one-click settings, latest finished build and next build', async () => {
    const api = await testApi();
    const config = `
jobs:
- name: maintenance
  trigger_vars:
  - {name: mode, default: "off", values: ["on", "off"]}
  plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]
- name: locked
  disable_manual_trigger: true
  plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]
- name: idle
  plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]
`;
    expect((await api.call('/pipelines/site/config', { method: 'PUT', body: { config } })).status).toBe(200);
    const first = (await api.call('/pipelines/site/jobs/maintenance/builds', { method: 'POST' })).body;
    await api.call(`/builds/${first.id}/abort`, { method: 'POST' });
    const second = (await api.call('/pipelines/site/jobs/maintenance/builds', { method: 'POST', body: { vars: { mode: 'on' } } })).body;
    await api.call('/pipelines/site/jobs/maintenance/builds', { method: 'POST' });

    const jobs = (await api.call('/pipelines/site/jobs')).body;
    const each = await Promise.all(['maintenance', 'locked', 'idle'].map(async (name) => (await api.call(`/pipelines/site/jobs/${name}`)).body));
    expect(jobs).toEqual(each);
    expect(jobs[0]).toMatchObject({
      name: 'maintenance',
      trigger_vars: [{ name: 'mode', default: 'off', values: ['on', 'off'] }],
      manual_trigger_disabled: false,
      finished_build: { id: first.id, status: 'aborted', job_name: 'maintenance', pipeline_name: 'site' },
      next_build: { id: second.id, status: 'pending', trigger_vars: { mode: 'on' } },
    });
    expect(jobs[1]).toMatchObject({ name: 'locked', trigger_vars: [], manual_trigger_disabled: true, finished_build: null, next_build: null });

    // Builds of several jobs and pipelines are labelled each with its own.
    await setTestPipeline(api);
    const unit = (await api.call('/pipelines/app/jobs/unit/builds', { method: 'POST' })).body;
    const idle = (await api.call('/pipelines/site/jobs/idle/builds', { method: 'POST' })).body;
    const recent = (await api.call('/builds')).body as Array<{ id: number; pipeline_name: string; job_name: string }>;
    expect(recent.slice(0, 3).map((build) => [build.id, build.pipeline_name, build.job_name])).toEqual([
      [idle.id, 'site', 'idle'],
      [unit.id, 'app', 'unit'],
      [second.id + 1, 'site', 'maintenance'],
    ]);
  });

  it('answers lists that many pages poll with what was written just before', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const read = async () =>
      Object.fromEntries(await Promise.all(['/pipelines', '/dashboard', '/pipelines/app/jobs', '/builds'].map(async (path) => [path, (await api.call(path)).body])));
    const before = await read();
    expect(await read()).toEqual(before);

    await api.call('/pipelines/app/jobs/unit/pause', { method: 'POST' });
    const build = (await api.call('/pipelines/app/jobs/deploy/builds', { method: 'POST' })).body;
    await api.call('/pipelines/app/pause', { method: 'POST' });
    const after = await read();
    expect(after['/pipelines'][0].paused).toBe(true);
    expect(after['/dashboard'][0]).toMatchObject({ paused: true, summary: { status: 'paused', jobs: { paused: 1, pending: 1 } } });
    expect(after['/pipelines/app/jobs'].map((job: { paused: boolean; next_build: { id: number } | null }) => [job.paused, job.next_build?.id ?? null])).toEqual([
      [true, null],
      [false, build.id],
    ]);
    expect(after['/builds']).toEqual([build]);
  });

  it('aborts a pending build once, and will not rerun a build that never started', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const { id } = (await api.call('/pipelines/app/jobs/unit/builds', { method: 'POST' })).body;
    const aborted = await api.call(`/builds/${id}/abort`, { method: 'POST' });
    expect(aborted.body).toMatchObject({ id, status: 'aborted' });
    const again = await api.call(`/builds/${id}/abort`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('build-not-running');
    const rerun = await api.call(`/builds/${id}/rerun`, { method: 'POST' });
    expect(rerun.status).toBe(409);
    expect(rerun.body.error.code).toBe('build-not-started');
  });

  it('reruns a build that ran, and serves its plan', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const { engine } = api;
    await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    engine.scheduler.runOnce();
    const [started] = (await api.call('/pipelines/app/jobs/unit/builds')).body;
    expect(started).toMatchObject({ status: 'started', manually_triggered: false });
    engine.store.builds.savePlan(started.id, { id: 'plan-1', do: [] });
    expect((await api.call(`/builds/${started.id}/plan`)).body).toEqual({ id: 'plan-1', do: [] });

    const rerun = await api.call(`/builds/${started.id}/rerun`, { method: 'POST' });
    expect(rerun.body).toMatchObject({ name: '1.1', rerun_of: started.id, status: 'pending' });
  });

  it('explains why a job does not run', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const explanation = await api.call('/pipelines/app/jobs/deploy/explain');
    expect(explanation.status).toBe(200);
    expect(explanation.body).toMatchObject({ job: 'deploy', pipeline: 'app', summary: expect.any(String) });
    const app = explanation.body.inputs.find((input: { name: string }) => input.name === 'app');
    expect(app).toMatchObject({ resource: 'app', chosen: null, omitted_candidates: 0 });
    expect(app.reasons.map((r: { code: string }) => r.code)).toEqual(['no-versions']);
  });
});
