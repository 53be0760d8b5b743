import { afterEach } from 'vitest';
import { startApiServer, type ApiServer, type Engine, type EngineOptions } from '../../src/index.js';
import { tempDataDir, testEngine } from './engine.js';

const servers: Array<{ server: ApiServer; engine: Engine }> = [];

afterEach(async () => {
  for (const { server, engine } of servers.splice(0).reverse()) {
    await server.close();
    await engine.stop();
  }
});

export const TEST_TOKEN = 'test-token-0123456789';

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  method?: string;
  /** Sent as JSON; a string is sent as it is, with content-type application/json. */
  body?: unknown;
  /** The bearer token; null sends none. Default: the server's. */
  token?: string | null;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface TestApi {
  engine: Engine;
  server: ApiServer;
  /** The API's base URL, ending in /api/v1. */
  base: string;
  call<T = any>(path: string, options?: CallOptions): Promise<ApiAnswer<T>>;
}

/** An engine on a temporary data directory (not started) with the API served on a free port. */
export async function testApi(options: Partial<EngineOptions> = {}): Promise<TestApi> {
  const engine = testEngine({ dataDir: tempDataDir(), ...options });
  const server = await startApiServer({ engine, token: TEST_TOKEN, port: 0 });
  servers.push({ server, engine });
  const base = `${server.url}/api/v1`;
  return {
    engine,
    server,
    base,
    async call(path, { method = 'GET', body, token = TEST_TOKEN, query, headers = {} } = {}) {
      const url = new URL(`${base}${path}`);
      for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
      const response = await fetch(url, {
        method,
        headers: {
          ...(token !== null && { authorization: `Bearer ${token}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
  };
}

/** A pipeline on the mock type: `app` feeds `unit`, which feeds `deploy`; `hook` takes webhooks. */
export const PIPELINE = `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
- name: hook
  type: mock
  webhook_token: hook-secret
  source: {initial_version: h1}
jobs:
- name: unit
  plan:
  - get: app
    trigger: true
- name: deploy
  plan:
  - get: app
    trigger: true
    passed: [unit]
  - get: hook
`;

/** Sets PIPELINE as `app` through the API. */
export async function setTestPipeline(api: TestApi, name = 'app'): Promise<void> {
  const answer = await api.call(`/pipelines/${name}/config`, { method: 'PUT', body: { config: PIPELINE } });
  if (answer.status !== 200) throw new Error(`setting the test pipeline answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export interface ServerSentEvent {
  id?: string;
  event?: string;
  data: string;
}

export interface EventStreamClient {
  status: number;
  headers: Headers;
  /** The next event, or undefined once the server has ended the stream. */
  next(): Promise<ServerSentEvent | undefined>;
  /** Drops the connection, as a client that goes away does. */
  disconnect(): void;
}

/** Opens `path` with real fetch and reads its body as server-sent events. */
export async function openEventStream(api: TestApi, path: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
  const controller = new AbortController();
  const response = await fetch(`${api.base}${path}`, { headers, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    status: response.status,
    headers: response.headers,
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return parseEvent(block);
        }
        const chunk = await reader.read();
        if (chunk.done) return undefined;
        buffer += chunk.value;
      }
    },
    disconnect() {
      controller.abort();
      reader.cancel().catch(() => {});
    },
  };
}

function parseEvent(block: string): ServerSentEvent {
  const event: ServerSentEvent = { data: '' };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
  }
  event.data = data.join('\n');
  return event;
}
