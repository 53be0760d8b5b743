import { describe, expect, it } from 'vitest';
import { followBuild } from '../support/builds.js';
import { testApi } from '../support/api.js';

const PIPELINE = `
jobs:
- name: deploy
  plan:
  - task: push
    params: {TOKEN: ((deploy_token)), URL: "https://deploy:((deploy_token))@example.com"}
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo "pushing to $URL"; echo "bad token $TOKEN" >&2; exit 1']}
`;

describe('API: secrets', () => {
  it('stores, shows (with the token only), lists names and deletes secrets', async () => {
    const api = await testApi();
    expect((await api.call('/secrets/deploy_token', { method: 'PUT', body: { value: 'tok-abc-123' }, token: null })).status).toBe(401);
    expect((await api.call('/secrets/deploy_token', { method: 'PUT', body: { value: 'tok-abc-123' } })).status).toBe(200);
    expect((await api.call('/secrets/db', { method: 'PUT', body: { value: { password: 'pw-1' } }, query: { pipeline: 'app' } })).status).toBe(200);

    expect((await api.call('/secrets/deploy_token', { token: null })).status).toBe(401);
    expect((await api.call('/secrets', { token: null })).status).toBe(401);
    expect((await api.call('/secrets/deploy_token')).body).toEqual({ name: 'deploy_token', team: 'main', pipeline: null, value: 'tok-abc-123' });
    const listed = await api.call('/secrets');
    expect(listed.body.map((s: { name: string; pipeline: string | null }) => [s.name, s.pipeline])).toEqual([
      ['deploy_token', null],
      ['db', 'app'],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('tok-abc-123');
    expect((await api.call('/secrets/db')).body.error.code).toBe('secret-not-found');
    expect((await api.call('/secrets/db', { method: 'DELETE', query: { pipeline: 'app' } })).status).toBe(204);
    expect((await api.call('/secrets/bad name', { method: 'PUT', body: { value: 'x' } })).body.error.code).toBe('secret-name-invalid');
    expect((await api.call('/secrets/rotate-key', { method: 'POST' })).body).toEqual({ resealed: 1 });
    expect((await api.call('/secrets/deploy_token')).body.value).toBe('tok-abc-123');
  });

  it('redacts a secret from the build\'s event stream, and the plan and config keep only its reference', async () => {
    const api = await testApi();
    await api.call('/secrets/deploy_token', { method: 'PUT', body: { value: 'tok-abc-123' } });
    expect((await api.call('/pipelines/app/config', { method: 'PUT', body: { config: PIPELINE } })).status).toBe(200);
    const { id } = (await api.call('/pipelines/app/jobs/deploy/builds', { method: 'POST' })).body;
    api.engine.start();
    await followBuild(api.engine, id);

    // The finished build's whole event stream, as any reader gets it, without a token.
    const text = await (await fetch(`${api.base}/builds/${id}/events`)).text();
    expect(text).toContain('pushing to https://deploy:((redacted))@example.com');
    expect(text).toContain('bad token ((redacted))');
    expect(text).not.toContain('tok-abc-123');
    const plan = await api.call(`/builds/${id}/plan`, { token: null });
    expect(plan.body.steps[0].params).toEqual({ TOKEN: '((deploy_token))', URL: 'https://deploy:((deploy_token))@example.com' });
    const shown = await api.call('/pipelines/app', { token: null });
    expect(JSON.stringify(shown.body)).not.toContain('tok-abc-123');
  });
});
