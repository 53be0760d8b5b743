import { describe, expect, it } from 'vitest';
import { PIPELINE, setTestPipeline, testApi } from '../support/api.js';

describe('API: resources', () => {
  it('lists resources without their config, checks one and lists its versions', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const resources = await api.call('/pipelines/app/resources');
    expect(resources.body.map((r: { name: string }) => r.name)).toEqual(['app', 'hook']);
    expect(resources.body[0]).toMatchObject({ type: 'mock', pinned_version_id: null, pin_source: null, check_error: null, last_checked_version: null });
    expect(JSON.stringify(resources.body)).not.toContain('hook-secret');

    const check = await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    expect(check.body).toEqual({ ok: true, new_versions: 1, error: null });
    const from = await api.call('/pipelines/app/resources/app/check', { method: 'POST', body: { from: { version: 'v0' } } });
    expect(from.body.new_versions).toBe(1);

    const versions = await api.call('/pipelines/app/resources/app/versions');
    expect(versions.body.map((v: { version: unknown }) => v.version)).toEqual([{ version: 'v0' }, { version: 'v1' }]);
    expect(versions.body[0]).toMatchObject({ enabled: true, metadata: [], id: expect.any(Number), created_at: expect.any(Number) });
    expect((await api.call('/pipelines/app/resources/app/versions', { query: { limit: '1' } })).body).toHaveLength(1);
    expect((await api.call('/pipelines/app/resources/app')).body.last_checked_version).toEqual(versions.body[0]);
  });

  it('reports a failing check as its outcome', async () => {
    const api = await testApi();
    await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE.replace('initial_version: v1', 'check_failure: broken') } });
    const check = await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ ok: false, new_versions: 0, error: expect.stringContaining('broken') });
    expect((await api.call('/pipelines/app/resources/app')).body.check_error).toContain('broken');
  });

  it('shows static var values in a failing check\'s error: they are not secrets', async () => {
    const api = await testApi();
    const text = PIPELINE.replace('initial_version: v1', 'check_failure: "https://ci:((password))@git.example.com"');
    await api.call('/pipelines/app/config', { method: 'PUT', body: { config: text, vars: { password: 'hunter2-very-secret' } } });
    const check = await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    expect(check.body.error).toContain('https://ci:hunter2-very-secret@git.example.com');
    const shown = await api.call('/pipelines/app/resources/app', { token: null });
    expect(shown.body.check_error).toContain('https://ci:hunter2-very-secret@git.example.com');
  });

  it('pins by version or by id, and unpins', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    await api.call('/pipelines/app/resources/app/check', { method: 'POST', body: { from: { version: 'v2' } } });
    const [v2, v1] = (await api.call('/pipelines/app/resources/app/versions')).body;

    const byFields = await api.call('/pipelines/app/resources/app/pin', { method: 'POST', body: { version: { version: 'v1' }, comment: 'hold' } });
    expect(byFields.body).toMatchObject({ pinned_version_id: v1.id, pin_source: 'api', pin_comment: 'hold' });
    const byId = await api.call('/pipelines/app/resources/app/pin', { method: 'POST', body: { version_id: v2.id } });
    expect(byId.body).toMatchObject({ pinned_version_id: v2.id, pin_comment: null });
    expect((await api.call('/pipelines/app/resources/app/unpin', { method: 'POST' })).body).toMatchObject({ pinned_version_id: null, pin_source: null });

    const cases: Array<[unknown, number, string]> = [
      [{ version: { version: 'v9' } }, 404, 'version-not-found'],
      [{ version_id: 99999 }, 404, 'version-not-found'],
      [{ version: { version: 'v1' }, version_id: v1.id }, 400, 'pin-version-missing'],
      [{}, 400, 'pin-version-missing'],
      [{ version: { version: 1 } }, 400, 'request-invalid'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await api.call('/pipelines/app/resources/app/pin', { method: 'POST', body });
      expect({ body, status: answer.status, code: answer.body.error.code }).toEqual({ body, status, code });
    }
  });

  it('will not pin or unpin a resource its config pins', async () => {
    const api = await testApi();
    await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE.replace('source: {initial_version: v1}', 'source: {initial_version: v1}\n  version: {version: v1}') } });
    await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    const [version] = (await api.call('/pipelines/app/resources/app/versions')).body;
    expect((await api.call('/pipelines/app/resources/app')).body).toMatchObject({ pinned_version_id: version.id, pin_source: 'config' });
    for (const action of ['pin', 'unpin']) {
      const answer = await api.call(`/pipelines/app/resources/app/${action}`, { method: 'POST', body: { version_id: version.id } });
      expect({ action, status: answer.status, code: answer.body.error?.code }).toEqual({ action, status: 409, code: 'resource-pinned-in-config' });
    }
  });

  it('disables and enables a version', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    await api.call('/pipelines/app/resources/app/check', { method: 'POST' });
    const [version] = (await api.call('/pipelines/app/resources/app/versions')).body;
    const disabled = await api.call(`/pipelines/app/resources/app/versions/${version.id}/disable`, { method: 'POST' });
    expect(disabled.body).toEqual({ ...version, enabled: false });
    expect((await api.call('/pipelines/app/resources/app/versions')).body[0].enabled).toBe(false);
    const enabled = await api.call(`/pipelines/app/resources/app/versions/${version.id}/enable`, { method: 'POST' });
    expect(enabled.body.enabled).toBe(true);
    const missing = await api.call('/pipelines/app/resources/app/versions/99999/disable', { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('version-not-found');
  });
});

describe('API: webhooks', () => {
  it('checks a resource for the right webhook token, without the bearer token', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const hook = (resource: string, token: string, pipeline = 'app') =>
      api.call(`/pipelines/${pipeline}/resources/${resource}/check/webhook`, {
        method: 'POST',
        token: null,
        query: { webhook_token: token },
        body: '{"ref": "refs/heads/main"}',
        headers: { 'content-type': 'application/json' },
      });

    const accepted = await hook('hook', 'hook-secret');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ checked: true });
    expect((await api.call('/pipelines/app/resources/hook/versions')).body).toHaveLength(1);

    for (const [resource, token, pipeline] of [
      ['hook', 'wrong'],
      ['app', 'hook-secret'],
      ['missing', 'hook-secret'],
      ['hook', 'hook-secret', 'missing'],
    ] as const) {
      const refused = await hook(resource, token, pipeline);
      expect({ resource, token, pipeline, status: refused.status, code: refused.body.error.code }).toEqual({
        resource,
        token,
        pipeline,
        status: 404,
        code: 'webhook-token-invalid',
      });
    }
  });

  it('starts the build a webhook triggers in the tick its check saves the version, before the webhook is answered', async () => {
    const api = await testApi();
    const pipeline = `
resources:
- name: hook
  type: mock
  check_every: never
  webhook_token: hook-secret
  source: {initial_version: h1}
jobs:
- name: on-push
  plan:
  - get: hook
    trigger: true
`;
    expect((await api.call('/pipelines/app/config', { method: 'PUT', body: { config: pipeline } })).status).toBe(200);
    const { engine } = api;
    const pipelineId = engine.store.pipelines.get({ name: 'app' })!.id;
    const jobId = engine.store.jobs.get(pipelineId, 'on-push')!.id;
    engine.start();
    let startedBeforeAnswer: number[] = [];
    const answered = engine.checker.checkByWebhook(pipelineId, 'hook', 'hook-secret').then((outcome) => {
      // Read in the check's own continuation, before any later turn of the event loop could run a pass.
      startedBeforeAnswer = engine.store.builds.listForJob(jobId).filter((build) => build.status !== 'pending').map((build) => build.id);
      return outcome;
    });
    expect(await answered).toMatchObject({ ok: true, newVersions: 1 });
    expect(startedBeforeAnswer).toHaveLength(1);
  });

  it('takes any payload, whatever its encoding', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const answer = await api.call('/pipelines/app/resources/hook/check/webhook', {
      method: 'POST',
      token: null,
      query: { webhook_token: 'hook-secret' },
      body: 'payload=%7B%7D',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(200);
    const missingToken = await api.call('/pipelines/app/resources/hook/check/webhook', { method: 'POST', token: null });
    expect(missingToken.status).toBe(400);
  });
});
