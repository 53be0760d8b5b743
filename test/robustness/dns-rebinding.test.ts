import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, Engine, startApiServer, type ApiServer } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

/**
 * Probe 5 of the hardening issue: a page on attacker.example whose name resolves to 127.0.0.1
 * makes the browser send `Host: attacker.example:PORT` to weir; the API must not answer it.
 */

const opened: Array<{ server: ApiServer; engine: Engine }> = [];
afterEach(async () => {
  for (const { server, engine } of opened.splice(0)) {
    await server.close();
    await engine.stop();
  }
});

async function serve(externalUrl?: string): Promise<URL> {
  const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  const server = await startApiServer({ engine, token: 'token-for-the-test', port: 0, ...(externalUrl && { externalUrl }) });
  opened.push({ server, engine });
  return new URL(server.url);
}

/** GET with a Host header of our choosing, as a browser sends for a rebound name. */
function getWithHost(url: URL, path: string, host: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Host header', () => {
  it('naming another site is refused before any route answers', async () => {
    const url = await serve();
    const answer = await getWithHost(url, '/api/v1/pipelines', `attacker.example:${url.port}`);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('host-not-allowed');
    expect(answer.body.error.hint).toMatch(/--external-url/);
  });

  it('is accepted as the address weir listens on, localhost, or an IP', async () => {
    const url = await serve();
    for (const host of [`127.0.0.1:${url.port}`, `localhost:${url.port}`, 'localhost', `[::1]:${url.port}`, `LOCALHOST.:${url.port}`]) {
      expect(`${host} ${(await getWithHost(url, '/api/v1/pipelines', host)).status}`).toBe(`${host} 200`);
    }
  });

  it('is accepted as the host of --external-url', async () => {
    const url = await serve('https://ci.example.com');
    expect((await getWithHost(url, '/api/v1/pipelines', 'ci.example.com')).status).toBe(200);
    expect((await getWithHost(url, '/api/v1/pipelines', 'ci.example.com.attacker.example')).status).toBe(403);
  });
});
