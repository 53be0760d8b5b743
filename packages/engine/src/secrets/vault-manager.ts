import { WeirError } from '../errors.js';
import type { CredentialLookup, CredentialManager } from './credential-manager.js';
import type { VarSourceContext } from './var-source-managers.js';

/** Concourse's defaults: the pipeline's secret first, then the team's. */
const DEFAULT_LOOKUP_TEMPLATES = ['/{{.Team}}/{{.Pipeline}}/{{.Secret}}', '/{{.Team}}/{{.Secret}}'];

interface VaultConfig {
  url: string;
  pathPrefix: string;
  lookupTemplates: string[];
  sharedPath?: string;
  namespace?: string;
  clientToken?: string;
  appRole?: { roleId: string; secretId: string };
}

/**
 * A `vault` var source, configured as in Concourse (`url`, `path_prefix`, `lookup_templates`,
 * `shared_path`, `namespace`, `client_token`, or `auth_backend: approle` with `auth_params`
 * `role_id` and `secret_id`). KV v1 and v2 mounts both work: the mount's version is asked of Vault
 * (`sys/internal/ui/mounts`) as the Vault CLI does. A secret with a `value` key is that value;
 * otherwise its keys are fields, `((vault:name.key))`. Plain `fetch`: three documented endpoints
 * do not warrant a client library.
 */
export function vaultManager(raw: Record<string, unknown>, context: VarSourceContext): CredentialManager {
  const config = parseConfig(raw, context.description);
  let token: { value: string; expiresAt: number } | undefined = config.clientToken === undefined ? undefined : { value: config.clientToken, expiresAt: Number.POSITIVE_INFINITY };
  const kvVersions = new Map<string, { mount: string; version: 1 | 2 }>();

  const request = async (method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: object, authenticated = true): Promise<{ status: number; json: any }> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authenticated) headers['x-vault-token'] = (await currentToken(signal)).value;
    if (config.namespace !== undefined) headers['x-vault-namespace'] = config.namespace;
    if (body) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${config.url}/v1/${path}`, { method, headers, signal, ...(body && { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new WeirError('vault-unreachable', `${context.description}: cannot reach Vault at ${config.url}: ${(error as Error).cause ?? (error as Error).message}`, {
        hint: 'check the var source\'s url, and that Vault runs there',
        cause: error,
      });
    }
    const text = await response.text();
    let json: any;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = {};
    }
    return { status: response.status, json };
  };

  const currentToken = async (signal: AbortSignal): Promise<{ value: string; expiresAt: number }> => {
    if (token && token.expiresAt > Date.now()) return token;
    if (!config.appRole) throw new WeirError('vault-config-invalid', `${context.description} has neither client_token nor AppRole auth`, { hint: 'set config.client_token, or auth_backend: approle with auth_params role_id and secret_id' });
    const login = await request('POST', 'auth/approle/login', signal, { role_id: config.appRole.roleId, secret_id: config.appRole.secretId }, false);
    const auth = login.json?.auth;
    if (login.status !== 200 || typeof auth?.client_token !== 'string') {
      throw new WeirError('vault-login-failed', `${context.description}: AppRole login at ${config.url} failed (${login.status}${vaultErrors(login.json)})`, { hint: 'check auth_params role_id and secret_id' });
    }
    // Renewed a little before Vault would expire it, so a lookup never carries a dead token.
    const ttlMs = typeof auth.lease_duration === 'number' && auth.lease_duration > 0 ? auth.lease_duration * 1000 : 60_000;
    token = { value: auth.client_token, expiresAt: Date.now() + ttlMs * 0.9 };
    return token;
  };

  const kvOf = async (path: string, signal: AbortSignal): Promise<{ mount: string; version: 1 | 2 }> => {
    const top = path.split('/')[0]!;
    const known = kvVersions.get(top);
    if (known) return known;
    const answer = await request('GET', `sys/internal/ui/mounts/${path}`, signal);
    denied(answer, path);
    const mount = typeof answer.json?.data?.path === 'string' ? String(answer.json.data.path).replace(/\/$/, '') : top;
    const found = { mount, version: answer.json?.data?.options?.version === '2' ? (2 as const) : (1 as const) };
    kvVersions.set(top, found);
    return found;
  };

  const denied = (answer: { status: number; json: any }, path: string): void => {
    if (answer.status === 403) {
      throw new WeirError('vault-denied', `${context.description}: Vault refused to read ${path} (403${vaultErrors(answer.json)})`, { hint: 'check the token or AppRole, and that its policy grants read on that path' });
    }
  };

  const read = async (path: string, signal: AbortSignal): Promise<Record<string, unknown> | undefined> => {
    const kv = await kvOf(path, signal);
    const apiPath = kv.version === 2 ? `${kv.mount}/data/${path.slice(kv.mount.length + 1)}` : path;
    const answer = await request('GET', apiPath, signal);
    denied(answer, path);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new WeirError('vault-read-failed', `${context.description}: reading ${path} failed (${answer.status}${vaultErrors(answer.json)})`, { hint: 'check that Vault is healthy and unsealed' });
    const data = kv.version === 2 ? answer.json?.data?.data : answer.json?.data;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
  };

  return {
    description: context.description,
    cacheKey: context.cacheKey,
    cacheable: true,
    async lookup(secret, signal): Promise<CredentialLookup> {
      const paths = candidatePaths(config, context, secret);
      for (const path of paths) {
        const data = await read(path, signal);
        if (data) return { found: { value: Object.hasOwn(data, 'value') ? data.value : data, path }, tried: paths };
      }
      return { tried: paths };
    },
  };
}

/** The paths tried for a secret, in order: the lookup templates under the prefix, then the shared path. */
export function candidatePaths(config: Pick<VaultConfig, 'pathPrefix' | 'lookupTemplates' | 'sharedPath'>, scope: { team: string; pipeline: string }, secret: string): string[] {
  const join = (...parts: string[]) => parts.join('/').split('/').filter((p) => p !== '').join('/');
  const paths = config.lookupTemplates.map((template) =>
    join(config.pathPrefix, template.replaceAll('{{.Team}}', scope.team).replaceAll('{{.Pipeline}}', scope.pipeline).replaceAll('{{.Secret}}', secret)),
  );
  if (config.sharedPath !== undefined) paths.push(join(config.pathPrefix, config.sharedPath, secret));
  return [...new Set(paths)];
}

function parseConfig(raw: Record<string, unknown>, description: string): VaultConfig {
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : undefined);
  const url = text('url');
  if (url === undefined) throw new WeirError('vault-config-invalid', `${description} has no url`, { hint: 'set config.url to the Vault server, e.g. https://vault.example.com:8200' });
  const templates = Array.isArray(raw.lookup_templates) ? raw.lookup_templates.filter((t): t is string => typeof t === 'string') : DEFAULT_LOOKUP_TEMPLATES;
  const params = (raw.auth_params ?? {}) as Record<string, unknown>;
  const backend = text('auth_backend');
  if (backend !== undefined && backend !== 'approle') {
    throw new WeirError('vault-config-invalid', `${description}: auth_backend ${backend} is not supported`, { hint: 'use client_token, or auth_backend: approle' });
  }
  return {
    url: url.replace(/\/+$/, ''),
    pathPrefix: text('path_prefix') ?? '/concourse',
    lookupTemplates: templates,
    ...(text('shared_path') !== undefined && { sharedPath: text('shared_path')! }),
    ...(text('namespace') !== undefined && { namespace: text('namespace')! }),
    ...(text('client_token') !== undefined && { clientToken: text('client_token')! }),
    ...(backend === 'approle' && { appRole: { roleId: String(params.role_id ?? ''), secretId: String(params.secret_id ?? '') } }),
  };
}

function vaultErrors(json: any): string {
  return Array.isArray(json?.errors) && json.errors.length > 0 ? `: ${json.errors.join('; ')}` : '';
}
