import { describe, expect, it } from 'vitest';
import { PIPELINE, setTestPipeline, testApi } from '../support/api.js';
import { followBuild } from '../support/builds.js';

describe('API: pipelines', () => {
  it('sets a pipeline, then updates it', async () => {
    const api = await testApi();
    const created = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ created: true, warnings: [], pipeline: { name: 'app', team: 'main', instance_vars: {}, config_version: 1, paused: false, archived: false } });

    const updated = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE, expected_config_version: 1 } });
    expect(updated.body).toMatchObject({ created: false, pipeline: { config_version: 2 } });
  });

  it('refuses an invalid pipeline with every problem, and a stale config version', async () => {
    const api = await testApi();
    const invalid = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE.replace('passed: [unit]', 'passed: [unitt]') } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('pipeline-invalid');
    expect(invalid.body.error.problems.map((p: { code: string }) => p.code)).toContain('passed-unknown-job');
    expect(invalid.body.error.problems[0]).toMatchObject({ severity: 'error', file: 'app.yml', line: expect.any(Number), display_path: expect.any(String) });

    await setTestPipeline(api);
    const stale = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE, expected_config_version: 5 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('pipeline-config-conflict');
    expect((await api.call('/pipelines/app')).body.config_version).toBe(1);
  });

  it('lists and shows pipelines, with static var values shown and webhook tokens redacted', async () => {
    const api = await testApi();
    const text = PIPELINE.replace('initial_version: v1', 'initial_version: ((tag))');
    await api.call('/pipelines/app/config', { method: 'PUT', body: { config: text, vars: { tag: 'sekrit-tag' } } });
    await setTestPipeline(api, 'other');

    const list = await api.call('/pipelines');
    expect(list.body.map((p: { name: string }) => p.name)).toEqual(['app', 'other']);
    const shown = await api.call('/pipelines/app');
    expect(shown.status).toBe(200);
    expect(shown.body.config.resources[0].source.initial_version).toBe('sekrit-tag');
    expect(JSON.stringify(shown.body)).not.toContain('secret_values');
    expect(shown.body.config.resources[1].webhook_token).toBe('((redacted))');
  });

  it('serves a build\'s plan to a reader without a token, static vars shown', async () => {
    const api = await testApi();
    const text = `
jobs:
- name: deploy
  plan:
  - task: push
    params: {TOKEN: ((token)), URL: "https://deploy:((token))@example.com"}
    config:
      platform: linux
      run: {path: sh, args: [-c, "true"]}
`;
    await api.call('/pipelines/app/config', { method: 'PUT', body: { config: text, vars: { token: 'hunter2-very-secret' } } });
    const { id } = (await api.call('/pipelines/app/jobs/deploy/builds', { method: 'POST' })).body;
    api.engine.start();
    await followBuild(api.engine, id);

    const plan = await api.call(`/builds/${id}/plan`, { token: null });
    expect(plan.status).toBe(200);
    expect(plan.body.steps[0].params).toEqual({ TOKEN: 'hunter2-very-secret', URL: 'https://deploy:hunter2-very-secret@example.com' });
  });

  it('addresses an instance by its instance vars', async () => {
    const api = await testApi();
    const text = PIPELINE.replace('initial_version: v1', 'initial_version: pr-((pr))');
    const set = await api.call('/pipelines/prs/config', { method: 'PUT', body: { config: text, instance_vars: { pr: 123 } } });
    expect(set.body.pipeline.instance_vars).toEqual({ pr: 123 });

    const shown = await api.call('/pipelines/prs', { query: { instance_vars: '{"pr":123}' } });
    expect(shown.status).toBe(200);
    // An instance var names the pipeline: it is not redacted.
    expect(shown.body.config.resources[0].source.initial_version).toBe('pr-123');
    expect((await api.call('/pipelines/prs')).body.error.code).toBe('pipeline-not-found');
    expect((await api.call('/pipelines/prs', { query: { instance_vars: '{"pr":' } })).status).toBe(400);
  });

  it('finds an instance whose var is the string "1" when asked for the number 1, and names both when both exist', async () => {
    const api = await testApi();
    const text = PIPELINE.replace('initial_version: v1', 'initial_version: pr-((pr))');
    await api.call('/pipelines/env/config', { method: 'PUT', body: { config: text, instance_vars: { pr: '1' } } });
    // What `-p env/pr:1` sends: the number, as YAML reads it.
    const loose = await api.call('/pipelines/env', { query: { instance_vars: '{"pr":1}' } });
    expect(loose.status).toBe(200);
    expect(loose.body.instance_vars).toEqual({ pr: '1' });
    expect((await api.call('/pipelines/env', { query: { instance_vars: '{"pr":2}' } })).body.error.code).toBe('pipeline-not-found');

    await api.call('/pipelines/env/config', { method: 'PUT', body: { config: text, instance_vars: { pr: 1 } } });
    expect((await api.call('/pipelines/env', { query: { instance_vars: '{"pr":1}' } })).body.instance_vars).toEqual({ pr: 1 });
    expect((await api.call('/pipelines/env', { query: { instance_vars: '{"pr":"1"}' } })).body.instance_vars).toEqual({ pr: '1' });

    await api.call('/pipelines/two/config', { method: 'PUT', body: { config: text, instance_vars: { pr: 1, on: 'true' } } });
    await api.call('/pipelines/two/config', { method: 'PUT', body: { config: text, instance_vars: { pr: '1', on: true } } });
    const ambiguous = await api.call('/pipelines/two', { query: { instance_vars: '{"pr":"1","on":"true"}' } });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error).toMatchObject({ code: 'pipeline-ambiguous', message: 'main/two/{"on":"true","pr":"1"} could name 2 instances: main/two/{"on":"true","pr":1}, main/two/{"on":true,"pr":"1"}' });
  });

  it('pauses, unpauses, archives and destroys a pipeline', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    expect((await api.call('/pipelines/app/pause', { method: 'POST' })).body.paused).toBe(true);
    expect((await api.call('/pipelines/app/unpause', { method: 'POST' })).body.paused).toBe(false);

    const archived = await api.call('/pipelines/app/archive', { method: 'POST' });
    expect(archived.body).toMatchObject({ archived: true, paused: true });
    expect((await api.call('/pipelines')).body).toEqual([]);
    expect((await api.call('/pipelines', { query: { include_archived: 'true' } })).body).toHaveLength(1);
    const unpause = await api.call('/pipelines/app/unpause', { method: 'POST' });
    expect(unpause.status).toBe(409);
    expect(unpause.body.error.code).toBe('pipeline-archived');

    const destroyed = await api.call('/pipelines/app', { method: 'DELETE' });
    expect(destroyed.status).toBe(204);
    expect((await api.call('/pipelines/app')).status).toBe(404);
    expect((await api.call('/pipelines/app', { method: 'DELETE' })).body.error.code).toBe('pipeline-not-found');
  });
});
