import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, Engine, startApiServer, type ApiServer } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

/**
 * Probe 10 of the hardening issue: a webhook URL is public, so a caller without the resource's
 * token must not make weir read (and hold) a large body, and a captured signed GitHub delivery
 * must not check again when it is replayed.
 */

const PIPELINE = `
resources:
- name: hook
  type: mock
  webhook_token: hook-secret
  source: {initial_version: h1}
jobs:
- name: j
  plan: [{get: hook}]
`;

const opened: Array<{ server: ApiServer; engine: Engine }> = [];
afterEach(async () => {
  for (const { server, engine } of opened.splice(0)) {
    await server.close();
    await engine.stop();
  }
});

async function serve(): Promise<URL> {
  const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  engine.setPipeline({ name: 'app', text: PIPELINE });
  const server = await startApiServer({ engine, token: 'token-for-the-test', port: 0 });
  opened.push({ server, engine });
  return new URL(`${server.url}/api/v1/pipelines/app/resources/hook/check/webhook`);
}

/**
 * Starts a POST that announces `announced` bytes, sends only the first MiB, and resolves with
 * the status if the server answers within `waitMs` though the body is not complete.
 */
function answerBeforeBody(url: URL, token: string, announced: number, waitMs: number): Promise<number | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `${url.pathname}?webhook_token=${token}`, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': announced } },
      (res) => {
        clearTimeout(timer);
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, waitMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close the connection while we still send: that is an answer too.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    req.write(Buffer.alloc(1024 * 1024, 0x20));
  });
}

async function deliver(url: URL, delivery: string): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify({ ref: 'refs/heads/main' });
  const response = await fetch(`${url.href}?webhook_token=hook-secret`, {
    method: 'POST',
    body: payload,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', 'hook-secret').update(payload).digest('hex')}`,
    },
  });
  return { status: response.status, body: await response.json() };
}

describe('webhooks', () => {
  it('refuse a wrong token before reading the body', async () => {
    const url = await serve();
    const answers = await Promise.all(Array.from({ length: 40 }, () => answerBeforeBody(url, 'wrong-token', 24 * 1024 * 1024, 3_000)));
    expect(new Set(answers)).toEqual(new Set([404]));
  });

  it('check once for a signed GitHub delivery replayed with the same X-GitHub-Delivery', async () => {
    const url = await serve();
    expect(await deliver(url, 'f0e1d2c3-0000-11ef-8000-000000000001')).toEqual({ status: 200, body: { checked: true } });
    expect(await deliver(url, 'f0e1d2c3-0000-11ef-8000-000000000001')).toEqual({ status: 200, body: { checked: false, duplicate: true } });
    expect(await deliver(url, 'f0e1d2c3-0000-11ef-8000-000000000002')).toEqual({ status: 200, body: { checked: true } });
  });
});
