import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEventStream } from '../src/client/build-event-stream.js';
import { followBuild } from '../src/follow-build.js';
import { WeirClient } from '../src/client/weir-client.js';
import { serverSentEvents } from '../src/client/server-sent-events.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A stand-in for the engine's event route, answering each request with the next handler. */
async function eventServer(handlers: Array<(request: IncomingMessage, response: ServerResponse) => void>): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    const handle = handlers[requests.length - 1];
    if (handle) handle(request, response);
    else response.writeHead(500).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const message = (seq: number, line: string): string =>
  `id: ${seq}\nevent: log\ndata: ${JSON.stringify({ seq, at: 0, type: 'log', origin: '1', data: { stream: 'stdout', line } })}\n\n`;

const client = (url: string): WeirClient => new WeirClient({ url, token: { origin: 'test', fromEnvironment: true, read: async () => 't' } });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('server-sent events', () => {
  it('parses messages split anywhere across chunks', async () => {
    const text = message(1, 'one') + message(2, 'two') + 'event: end\ndata:\n\n';
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    const messages = await collect(serverSentEvents(body));
    expect(messages.map((m) => [m.id, m.event])).toEqual([
      ['1', 'log'],
      ['2', 'log'],
      [undefined, 'end'],
    ]);
  });

  it('picks a dropped stream up again with Last-Event-ID, missing and repeating nothing', async () => {
    const { url, requests } = await eventServer([
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(message(1, 'one') + message(2, 'two'));
        // The connection breaks mid-build, as when a proxy times out.
        setImmediate(() => response.destroy());
      },
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(message(2, 'two again') + message(3, 'three') + 'event: end\ndata:\n\n');
      },
    ]);
    const events = await collect(buildEventStream(client(url), 7, { reconnectDelaysMs: [10, 10] }));
    expect(events.map((e) => (e.type === 'log' ? e.data.line : e.type))).toEqual(['one', 'two', 'three']);
    expect(requests.map((r) => [r.url, r.headers['last-event-id']])).toEqual([
      ['/api/v1/builds/7/events', undefined],
      ['/api/v1/builds/7/events', '2'],
    ]);
  });

  it('gives up after its reconnections, saying how to pick up again', async () => {
    const dropping = (_request: IncomingMessage, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end();
    };
    const { url } = await eventServer([dropping, dropping, dropping]);
    await expect(collect(buildEventStream(client(url), 7, { reconnectDelaysMs: [10, 10] }))).rejects.toMatchObject({
      message: `lost the connection to the engine at ${url} while following build 7 (the engine closed the stream before the build ended)`,
      hint: 'check that the engine runs, then `weir watch -b 7` picks up where this stopped',
    });
  });
});

describe('following a build', () => {
  it('takes the end of the log as the end of the build, and says so if the engine still reports no outcome', async () => {
    const { url } = await eventServer([
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(message(1, 'one') + 'event: end\ndata:\n\n');
      },
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 7, status: 'started', error: null }));
      },
    ]);
    let out = '';
    const io = { out: (text: string) => (out += text), err: () => {}, color: false };
    await expect(followBuild(client(url), 7, io, { timestamps: false })).rejects.toMatchObject({
      message: 'the build is still started, it has no outcome yet',
      hint: 'watch it again to wait for it to finish',
    });
    expect(out).toBe('one\n');
  });
});
