import { describe, expect, it, vi } from 'vitest';
import { PIPELINE, setTestPipeline, testApi } from '../support/api.js';

describe('API: auth', () => {
  it('needs the bearer token to change anything, and none to read', async () => {
    const api = await testApi();
    const anonymous = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE }, token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    expect(anonymous.body.error.hint).toContain('token');
    const wrong = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE }, token: 'nope' });
    expect(wrong.status).toBe(401);
    expect((await api.call('/pipelines')).body).toEqual([]);

    await setTestPipeline(api);
    expect((await api.call('/pipelines', { token: null })).status).toBe(200);
    expect((await api.call('/pipelines/app', { token: null })).status).toBe(200);
    expect((await api.call('/pipelines/app/pause', { method: 'POST', token: null })).status).toBe(401);
    expect((await api.call('/pipelines/app', { method: 'DELETE', token: 'x'.repeat(64) })).status).toBe(401);
    expect((await api.call('/pipelines/app')).body.paused).toBe(false);
  });

  it('says where the token is', async () => {
    const api = await testApi();
    const answer = await api.call('/pipelines/app/pause', { method: 'POST', token: null });
    expect(answer.body.error.hint).toContain(`${api.engine.dataDir}/token`);
    expect(answer.body.error.hint).toContain('WEIR_TOKEN');
  });
});

describe('API: errors', () => {
  it('answers every error as JSON with a code', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const cases: Array<[string, Parameters<typeof api.call>[1], number, string]> = [
      ['/nothing/here', {}, 404, 'route-not-found'],
      ['/pipelines/missing', {}, 404, 'pipeline-not-found'],
      ['/pipelines/app/jobs/missing', {}, 404, 'job-not-found'],
      ['/pipelines/app/resources/missing', {}, 404, 'resource-not-found'],
      ['/builds/999', {}, 404, 'build-not-found'],
      ['/builds/abc', {}, 400, 'request-invalid'],
      ['/pipelines/app', { query: { instance_vars: 'not json' } }, 400, 'instance-vars-invalid'],
      ['/pipelines/app', { query: { instance_vars: '[1]' } }, 400, 'instance-vars-invalid'],
      ['/pipelines/app', { query: { instance_var: '{}' } }, 400, 'request-invalid'],
      ['/builds', { query: { limit: '0' } }, 400, 'request-invalid'],
      ['/pipelines/app/config', { method: 'PUT', body: '{"config": ' }, 400, 'body-not-json'],
      ['/pipelines/app/config', { method: 'PUT', body: { config: 7 } }, 400, 'request-invalid'],
      ['/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE, expected_version: 1 } }, 400, 'request-invalid'],
      ['/pipelines/app/config', { method: 'PUT' }, 400, 'request-invalid'],
      ['/pipelines/app/config', { method: 'PUT', body: 'config', headers: { 'content-type': 'text/yaml' } }, 415, 'content-type-unsupported'],
      ['/pipelines/a%2Fb/config', { method: 'PUT', body: { config: PIPELINE } }, 400, 'pipeline-name-invalid'],
    ];
    for (const [path, options, status, code] of cases) {
      const answer = await api.call(path, options);
      expect({ path, status: answer.status, code: answer.body?.error?.code }).toEqual({ path, status, code });
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect(typeof answer.body.error.message).toBe('string');
    }
  });

  it('answers a failure inside weir with a 500 that tells nothing of it', async () => {
    const api = await testApi();
    vi.spyOn(api.engine.store.pipelines, 'listStates').mockImplementation(() => {
      throw new TypeError('internal detail');
    });
    const answer = await api.call('/pipelines');
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('internal-error');
    expect(JSON.stringify(answer.body)).not.toContain('internal detail');
  });

  it('takes an empty JSON body as no options', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const answer = await api.call('/pipelines/app/pause', { method: 'POST', body: '' });
    expect(answer.status).toBe(200);
    expect(answer.body.paused).toBe(true);
  });

  it('tells its version', async () => {
    const api = await testApi();
    const info = await api.call('/info');
    expect(info.body).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), external_url: api.server.url });
  });
});
