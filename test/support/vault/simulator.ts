import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Vault server for tests, over real HTTP, answering the parts of Vault's documented HTTP API
 * (developer.hashicorp.com/vault/api-docs) that a KV client uses: `X-Vault-Token` auth,
 * `sys/internal/ui/mounts/:path` (how clients learn a mount's KV version), KV v1 reads
 * (`GET /v1/:mount/:path` → `{data}`), KV v2 reads (`GET /v1/:mount/data/:path` →
 * `{data: {data, metadata}}`), AppRole login (`POST /v1/auth/approle/login`), and Vault's error
 * shape (`{errors: [...]}`, 403 for a bad token, 404 for a missing secret).
 */
export interface VaultSimulator {
  url: string;
  /** A token that may read everything. */
  rootToken: string;
  /** Mounts a KV engine at `path` (no slashes around it). */
  mount(path: string, version: 1 | 2): void;
  /** Writes a secret as `vault kv put` would. */
  write(mount: string, path: string, data: Record<string, unknown>): void;
  /** An AppRole whose login issues a token that lives `ttlSeconds`. */
  addAppRole(roleId: string, secretId: string, ttlSeconds?: number): void;
  /** Every request as `METHOD path`, for tests that count lookups. */
  requests: string[];
  stop(): Promise<void>;
}

interface Mount {
  version: 1 | 2;
  secrets: Map<string, { data: Record<string, unknown>; version: number; createdTime: string }>;
}

export async function startVaultSimulator(options: { now?: () => number } = {}): Promise<VaultSimulator> {
  const now = options.now ?? Date.now;
  const rootToken = `hvs.${randomUUID().replaceAll('-', '')}`;
  const tokens = new Map<string, number>([[rootToken, Number.POSITIVE_INFINITY]]);
  const mounts = new Map<string, Mount>();
  const appRoles = new Map<string, { secretId: string; ttlSeconds: number }>();
  const requests: string[] = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { errors: [String(error)] }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://vault');
    const path = url.pathname;
    requests.push(`${request.method} ${path}`);
    if (!path.startsWith('/v1/')) return send(response, 404, { errors: [] });
    const rest = path.slice('/v1/'.length);
    if (rest === 'auth/approle/login' && request.method === 'POST') return login(response, await readJson(request));
    const token = request.headers['x-vault-token'];
    const expiry = typeof token === 'string' ? tokens.get(token) : undefined;
    if (expiry === undefined || expiry <= now()) return send(response, 403, { errors: ['permission denied'] });
    if (request.method !== 'GET') return send(response, 405, { errors: ['unsupported operation'] });
    if (rest.startsWith('sys/internal/ui/mounts/')) {
      const found = findMount(rest.slice('sys/internal/ui/mounts/'.length));
      if (!found) return send(response, 400, { errors: [`preflight capability check returned 403, please ensure client's policies grant access to path "${rest.slice('sys/internal/ui/mounts/'.length)}/"`] });
      return send(response, 200, { data: { path: `${found.name}/`, type: 'kv', options: found.mount.version === 2 ? { version: '2' } : null } });
    }
    const found = findMount(rest);
    if (!found) return send(response, 404, { errors: [`no handler for route "${rest}". route entry not found.`] });
    let key = rest.slice(found.name.length + 1);
    if (found.mount.version === 2) {
      if (!key.startsWith('data/')) return send(response, 404, { errors: [] });
      key = key.slice('data/'.length);
    }
    const secret = found.mount.secrets.get(key);
    if (!secret) return send(response, 404, { errors: [] });
    if (found.mount.version === 1) return send(response, 200, { request_id: randomUUID(), lease_duration: 2764800, renewable: false, data: secret.data });
    return send(response, 200, {
      request_id: randomUUID(),
      lease_duration: 0,
      renewable: false,
      data: { data: secret.data, metadata: { created_time: secret.createdTime, deletion_time: '', destroyed: false, version: secret.version } },
    });
  }

  function login(response: ServerResponse, body: Record<string, unknown> | undefined): void {
    const role = typeof body?.role_id === 'string' ? appRoles.get(body.role_id) : undefined;
    if (!role || body?.secret_id !== role.secretId) return send(response, 400, { errors: ['invalid role or secret ID'] });
    const token = `hvs.${randomUUID().replaceAll('-', '')}`;
    tokens.set(token, now() + role.ttlSeconds * 1000);
    send(response, 200, { auth: { client_token: token, accessor: randomUUID(), policies: ['default'], lease_duration: role.ttlSeconds, renewable: true } });
  }

  function findMount(path: string): { name: string; mount: Mount } | undefined {
    const name = [...mounts.keys()].filter((m) => path === m || path.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
    return name === undefined ? undefined : { name, mount: mounts.get(name)! };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rootToken,
    requests,
    mount(path, version) {
      mounts.set(path, { version, secrets: new Map() });
    },
    write(mount, path, data) {
      const target = mounts.get(mount);
      if (!target) throw new Error(`no mount ${mount}`);
      const previous = target.secrets.get(path);
      target.secrets.set(path, { data, version: (previous?.version ?? 0) + 1, createdTime: new Date(now()).toISOString() });
    },
    addAppRole(roleId, secretId, ttlSeconds = 3600) {
      appRoles.set(roleId, { secretId, ttlSeconds });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
