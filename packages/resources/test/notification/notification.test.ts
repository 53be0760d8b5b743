import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildMetadata } from '../../src/interface.js';
import { createNotificationType, type NotificationSource } from '../../src/notification/index.js';
import { retryDelayMs } from '../../src/notification/deliver.js';
import { renderText } from '../../src/notification/message.js';
import { testContext } from '../support/context.js';

const type = createNotificationType({ baseDelayMs: 5, maxDelayMs: 50 });
const TOKEN_PATH = '/hooks/T000/B000/secret-token-xyz';

const build: BuildMetadata = {
  buildId: 42,
  buildName: '7',
  jobName: 'deploy',
  pipelineName: 'shop',
  teamName: 'main',
  url: 'http://weir.example/builds/42',
  externalUrl: 'http://weir.example',
};

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A webhook endpoint on 127.0.0.1 that answers each request with the next of `answers`, then 200. */
async function endpoint(answers: Array<(res: ServerResponse) => void> = []): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      const answer = answers.shift();
      if (answer) answer(res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  servers.push(close);
  return { url: `http://127.0.0.1:${port}${TOKEN_PATH}`, received, close };
}

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

async function workdir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'weir-notification-'));
}

function everything(ctx: ReturnType<typeof testContext>): string {
  return JSON.stringify([ctx.lines, ctx.logged]);
}

describe('notification put', () => {
  it('posts the build as JSON with the status of the hook it runs in, and never logs the URL', async () => {
    const hook = await endpoint();
    const ctx = testContext({ build: { ...build, status: 'failed' } });
    const result = await type.put(ctx, { url: hook.url }, {}, await workdir());
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({
      path: TOKEN_PATH,
      headers: { 'content-type': 'application/json' },
      body: {
        text: 'shop/deploy #7 failed: http://weir.example/builds/42',
        status: 'failed',
        build: { team: 'main', pipeline: 'shop', job: 'deploy', name: '7', id: 42, url: 'http://weir.example/builds/42' },
      },
    });
    expect(result.metadata).toContainEqual({ name: 'status', value: 'failed' });
    expect(result.version.sent_at).toMatch(/^\d{4}-/);
    expect(everything(ctx)).not.toContain('secret-token-xyz');
    expect(ctx.lines.join('\n')).toContain(new URL(hook.url).host);
  });

  it('posts Slack\'s payload with a template, the channel and a text file of the build', async () => {
    const hook = await endpoint();
    const dir = await workdir();
    await mkdir(join(dir, 'notes'));
    await writeFile(join(dir, 'notes', 'release.md'), 'Release $VERSION of $BUILD_PIPELINE_NAME costs $5\n');
    const source: NotificationSource = { url: hook.url, format: 'slack', channel: '#releases', username: 'weir' };
    await type.put(testContext({ build }), source, { text: ':rocket: ${BUILD_JOB_NAME} $BUILD_STATUS', text_file: 'notes/release.md' }, dir);
    expect(hook.received[0]?.body).toEqual({ text: ':rocket: deploy started\nRelease $VERSION of shop costs $5\n', channel: '#releases', username: 'weir' });
  });

  it('sends the headers it is given, and an explicit status over the hook\'s', async () => {
    const hook = await endpoint();
    const ctx = testContext({ build: { ...build, status: 'succeeded' } });
    await type.put(ctx, { url: hook.url, headers: { authorization: 'Bearer header-secret' } }, { status: 'released' }, await workdir());
    expect(hook.received[0]?.headers.authorization).toBe('Bearer header-secret');
    expect(hook.received[0]?.body.status).toBe('released');
    expect(everything(ctx)).not.toContain('header-secret');
  });

  it('tries again after a 5xx and a 429, as Retry-After says', async () => {
    const hook = await endpoint([(res) => res.writeHead(503, 'Service Unavailable').end(), (res) => res.writeHead(429, 'Too Many Requests', { 'retry-after': '0' }).end()]);
    const ctx = testContext({ build });
    const result = await type.put(ctx, { url: hook.url }, {}, await workdir());
    expect(hook.received).toHaveLength(3);
    expect(result.metadata).toContainEqual({ name: 'answer', value: '200' });
    expect(ctx.lines.filter((line) => line.includes('trying again'))).toHaveLength(2);
  });

  it('fails at once on a 4xx, with the endpoint\'s answer and without the URL', async () => {
    const hook = await endpoint([(res) => res.writeHead(404, 'Not Found').end(`no_service ${TOKEN_PATH}`)]);
    const error = await type.put(testContext({ build }), { url: hook.url }, {}, await workdir()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'notification-rejected', hint: expect.stringMatching(/revoked/) });
    expect(hook.received).toHaveLength(1);
  });

  it('gives up after its retries on a failing endpoint, and on one that is not there', async () => {
    const failing = await endpoint(Array.from({ length: 5 }, () => (res: ServerResponse) => res.writeHead(500, 'Internal Server Error').end()));
    await expect(type.put(testContext({ build }), { url: failing.url, retries: 2 }, {}, await workdir())).rejects.toMatchObject({ code: 'notification-failed' });
    expect(failing.received).toHaveLength(3);

    const gone = await endpoint();
    await gone.close();
    const error = (await type.put(testContext({ build }), { url: gone.url, retries: 1 }, {}, await workdir()).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'notification-unreachable', message: expect.stringMatching(/ECONNREFUSED/) });
    expect(error.message).not.toContain('secret-token-xyz');
  });

  it('does not follow a redirect with its headers', async () => {
    const elsewhere = await endpoint();
    const hook = await endpoint([(res) => res.writeHead(302, 'Found', { location: elsewhere.url }).end()]);
    await expect(type.put(testContext({ build }), { url: hook.url, headers: { authorization: 'Bearer x' } }, {}, await workdir())).rejects.toMatchObject({ code: 'notification-rejected', hint: expect.stringMatching(/redirect/) });
    expect(elsewhere.received).toEqual([]);
  });

  it('refuses a URL with credentials and a text_file that links out of its artifact, without sending', async () => {
    const hook = await endpoint();
    const withCredentials = hook.url.replace('http://', 'http://user:hunter2@');
    const error = (await type.put(testContext({ build }), { url: withCredentials }, {}, await workdir()).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'notification-url-credentials' });
    expect(error.message).not.toContain('hunter2');

    const dir = await workdir();
    const secret = join(await workdir(), 'token');
    await writeFile(secret, 'engine-api-token');
    await mkdir(join(dir, 'notes'));
    await symlink(secret, join(dir, 'notes', 'release.md'));
    await expect(type.put(testContext({ build }), { url: hook.url }, { text_file: 'notes/release.md' }, dir)).rejects.toMatchObject({ code: 'notification-path-outside' });
    expect(hook.received).toEqual([]);
  });

  it('stops waiting when the build is aborted', async () => {
    const hook = await endpoint([(res) => res.writeHead(503, 'Service Unavailable', { 'retry-after': '30' }).end()]);
    const slow = createNotificationType({ baseDelayMs: 30_000, maxDelayMs: 30_000 });
    const abort = new AbortController();
    const put = slow.put(testContext({ build, signal: abort.signal }), { url: hook.url }, {}, await workdir());
    setTimeout(() => abort.abort(new Error('build aborted')), 200);
    await expect(put).rejects.toThrow('build aborted');
  });

  it('writes what was sent on get', async () => {
    const dir = await workdir();
    await type.get(testContext(), { url: 'http://127.0.0.1:1/x' }, { sent_at: '2026-12-05T10:00:00.000Z', id: 'ab12' }, {}, dir);
    expect(JSON.parse(await readFile(join(dir, 'notification.json'), 'utf8'))).toEqual({ sent_at: '2026-12-05T10:00:00.000Z', id: 'ab12' });
  });
});

describe('message text and retry waits', () => {
  it('replaces known variables only', () => {
    expect(renderText('$A ${A} $B ${B} $$A $1 $', { A: 'x' })).toBe('x x $B ${B} $x $1 $');
  });

  it('waits as Retry-After says, in seconds or as a date, else doubling, never over the cap', () => {
    expect(retryDelayMs(1, null, 0, 1000, 60_000)).toBe(1000);
    expect(retryDelayMs(3, null, 0, 1000, 60_000)).toBe(4000);
    expect(retryDelayMs(10, null, 0, 1000, 60_000)).toBe(60_000);
    expect(retryDelayMs(1, '7', 0, 1000, 60_000)).toBe(7000);
    expect(retryDelayMs(1, new Date(20_000).toUTCString(), 0, 1000, 60_000)).toBe(20_000);
    expect(retryDelayMs(1, '3600', 0, 1000, 60_000)).toBe(60_000);
    expect(retryDelayMs(2, 'soon', 0, 1000, 60_000)).toBe(2000);
  });
});
