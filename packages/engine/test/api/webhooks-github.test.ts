import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { setTestPipeline, testApi, type TestApi } from '../support/api.js';

const PAYLOAD = JSON.stringify({ action: 'synchronize', number: 12, pull_request: { head: { sha: 'abc' } } });

let deliveries = 0;
/** GitHub gives every delivery its own id (a redelivery keeps it). */
const nextDeliveryId = (): string => `72d3162e-cc78-11e3-81ab-${String(++deliveries).padStart(12, '0')}`;

const sign = (body: string, secret: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function deliver(api: TestApi, event: string, headers: Record<string, string>, { body = PAYLOAD, pipeline = 'app', resource = 'hook' } = {}) {
  return api.call(`/pipelines/${pipeline}/resources/${resource}/check/webhook`, {
    method: 'POST',
    token: null,
    query: { webhook_token: 'hook-secret' },
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': nextDeliveryId(), ...headers },
  });
}

const versionCount = async (api: TestApi): Promise<number> => (await api.call('/pipelines/app/resources/hook/versions')).body.length;

describe('API: GitHub webhooks', () => {
  it('checks the resource for a push or pull_request signed with its webhook_token', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    for (const event of ['pull_request', 'push']) {
      const answer = await deliver(api, event, { 'x-hub-signature-256': sign(PAYLOAD, 'hook-secret') });
      expect({ event, status: answer.status, body: answer.body }).toEqual({ event, status: 200, body: { checked: true } });
    }
    expect(await versionCount(api)).toBe(1);
  });

  it('verifies the signature over the raw bytes, whatever the encoding', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const form = `payload=${encodeURIComponent(PAYLOAD)}`;
    const answer = await api.call('/pipelines/app/resources/hook/check/webhook', {
      method: 'POST',
      token: null,
      query: { webhook_token: 'hook-secret' },
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-hub-signature-256': sign(form, 'hook-secret') },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ checked: true });
  });

  it('answers a ping without checking', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const answer = await deliver(api, 'ping', { 'x-hub-signature-256': sign(PAYLOAD, 'hook-secret') });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ checked: false });
    expect(await versionCount(api)).toBe(0);
  });

  it('refuses a missing or bad signature with 401 and checks nothing', async () => {
    const api = await testApi();
    await setTestPipeline(api);
    const cases: Array<[string, Record<string, string>, { pipeline?: string; resource?: string }]> = [
      ['missing', {}, {}],
      ['another secret', { 'x-hub-signature-256': sign(PAYLOAD, 'other-secret') }, {}],
      ['another body', { 'x-hub-signature-256': sign(`${PAYLOAD} `, 'hook-secret') }, {}],
      ['sha1 only', { 'x-hub-signature': `sha1=${createHmac('sha1', 'hook-secret').update(PAYLOAD).digest('hex')}` }, {}],
      ['malformed', { 'x-hub-signature-256': 'sha256=zz' }, {}],
      ['resource without a token', { 'x-hub-signature-256': sign(PAYLOAD, 'hook-secret') }, { resource: 'app' }],
      ['unknown pipeline', { 'x-hub-signature-256': sign(PAYLOAD, 'hook-secret') }, { pipeline: 'missing' }],
    ];
    for (const [name, headers, where] of cases) {
      const answer = await deliver(api, 'push', headers, where);
      expect({ name, status: answer.status, code: answer.body.error.code }).toEqual({ name, status: 401, code: 'webhook-signature-invalid' });
    }
    expect(await versionCount(api)).toBe(0);
  });
});
