import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer, type Engine } from '../../src/index.js';
import { PIPELINE, setTestPipeline, TEST_TOKEN, testApi } from '../support/api.js';
import { tempDataDir, testEngine } from '../support/engine.js';

const started: Array<{ server: ApiServer; engine: Engine }> = [];
afterEach(async () => {
  for (const { server, engine } of started.splice(0)) {
    await server.close();
    await engine.stop();
  }
});

async function serveUi(built: boolean): Promise<string> {
  const webRoot = tempDataDir();
  if (built) {
    mkdirSync(join(webRoot, 'assets'), { recursive: true });
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>weir</title>');
    writeFileSync(join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  }
  const engine = testEngine({ dataDir: tempDataDir() });
  const server = await startApiServer({ engine, token: TEST_TOKEN, port: 0, webRoot });
  started.push({ server, engine });
  return server.url;
}

describe('web UI files', () => {
  it('serves the app at / and at its own paths, with security headers, and leaves /api/v1 to the API', async () => {
    const url = await serveUi(true);
    for (const path of ['/', '/pipelines/app/jobs/unit', '/builds/12']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>weir</title>');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
    const asset = await fetch(`${url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const missing = await fetch(`${url}/api/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('route-not-found');
  });

  it('says how to build the UI when it is not built', async () => {
    const url = await serveUi(false);
    const response = await fetch(url);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; hint: string } };
    expect(body.error.code).toBe('web-ui-not-built');
    expect(body.error.hint).toContain('pnpm install');
  });
});

describe('web UI session', () => {
  it('turns the token into an HttpOnly SameSite cookie that acts only with the CSRF token, from this origin', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    expect((await api.call('/session', { token: null })).body).toEqual({ logged_in: false });
    const wrong = await api.call('/session', { method: 'POST', body: { token: 'nope' }, token: null });
    expect(wrong.status).toBe(401);

    const login = await api.call('/session', { method: 'POST', body: { token: TEST_TOKEN }, token: null });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^weir_session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain(TEST_TOKEN);
    const cookie = setCookie.split(';')[0]!;
    const csrf = login.body.csrf_token as string;
    expect((await api.call('/session', { token: null, headers: { cookie } })).body).toEqual({ logged_in: true, csrf_token: csrf });

    const pause = (headers: Record<string, string>) => api.call('/pipelines/app/pause', { method: 'POST', token: null, headers: { cookie, ...headers } });
    const noCsrf = await pause({});
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf-token-invalid');
    expect((await pause({ 'x-weir-csrf': 'guess' })).status).toBe(403);
    expect((await pause({ 'x-weir-csrf': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect((await api.call('/pipelines/app')).body.paused).toBe(false);
    const ok = await pause({ 'x-weir-csrf': csrf, origin: new URL(api.base).origin });
    expect(ok.status).toBe(200);
    expect(ok.body.paused).toBe(true);

    const logout = await api.call('/session', { method: 'DELETE', token: null, headers: { cookie } });
    expect(logout.headers.get('set-cookie')).toMatch(/weir_session=;/);
  });

  it('refuses a login posted from another site', async () => {
    const api = await testApi();
    const answer = await api.call('/session', { method: 'POST', body: { token: TEST_TOKEN }, token: null, headers: { origin: 'http://evil.example' } });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });
});

describe('dashboard and graph routes', () => {
  it('summarizes every pipeline in one answer and draws a pipeline as nodes and edges', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    await setTestPipeline(api, 'other');
    await api.call('/pipelines/other/pause', { method: 'POST' });
    const dashboard = await api.call('/dashboard');
    expect(dashboard.body.map((pipeline: { name: string; summary: { status: string; jobs: { total: number } } }) => [pipeline.name, pipeline.summary.status, pipeline.summary.jobs.total])).toEqual([
      ['app', 'pending', 2],
      ['other', 'paused', 2],
    ]);
    const graph = await api.call('/pipelines/app/graph');
    expect(graph.body.edges).toEqual([
      { from: 'resource:app', to: 'job:unit', kind: 'input', resources: ['app'], trigger: true },
      { from: 'job:unit', to: 'job:deploy', kind: 'passed', resources: ['app'], trigger: true },
      { from: 'resource:hook', to: 'job:deploy', kind: 'input', resources: ['hook'], trigger: false },
    ]);
  });

  it('leaves the config out of a pipeline when asked, and keeps it by default', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const full = await api.call('/pipelines/app');
    expect(full.body.config.jobs.map((job: { name: string }) => job.name)).toEqual(['unit', 'deploy']);
    const light = await api.call('/pipelines/app', { query: { include_config: 'false' } });
    expect(light.status).toBe(200);
    const { config: _config, ...withoutConfig } = full.body;
    expect(light.body).toEqual(withoutConfig);
    expect(light.body).not.toHaveProperty('config');
    // The UI builds the query with URLSearchParams, which writes a space in instance vars as `+`.
    const instanced = await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE, instance_vars: { branch: 'x y&z' } } });
    expect(instanced.status).toBe(200);
    const query = new URLSearchParams({ include_config: 'false', instance_vars: JSON.stringify({ branch: 'x y&z' }) }).toString();
    expect(query).toContain('+');
    const found = await fetch(`${api.base}/pipelines/app?${query}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id: instanced.body.pipeline.id, instance_vars: { branch: 'x y&z' } });
  });

  it('draws a pipeline set again, or deleted and set anew under the same id, from its new config', async () => {
    const api = await testApi();
    const set = async (config: string) => {
      const answer = await api.call('/pipelines/app/config', { method: 'PUT', body: { config } });
      expect(answer.status).toBe(200);
      return answer.body.pipeline.id as number;
    };
    const jobsOf = async () => (await api.call('/pipelines/app/graph')).body.jobs.map((job: { name: string }) => job.name);
    const pipeline = (job: string) => `jobs:\n- name: ${job}\n  plan:\n  - task: t\n    config: {platform: linux, run: {path: 'true'}}\n`;
    const firstId = await set(pipeline('first'));
    expect(await jobsOf()).toEqual(['first']);
    expect(await jobsOf()).toEqual(['first']);
    await set(pipeline('second'));
    expect(await jobsOf()).toEqual(['second']);
    expect((await api.call('/pipelines/app', { method: 'DELETE' })).status).toBe(204);
    // The highest id deleted, SQLite gives it again: the old graph must not come back with it.
    expect(await set(pipeline('third'))).toBe(firstId);
    expect(await jobsOf()).toEqual(['third']);
  });
});
