import { createHash } from 'node:crypto';
import { ResourceError } from '../interface.js';
import { parseAuthChallenges } from './auth-challenge.js';
import { readBody, type HttpClient } from './http-client.js';

export interface Credentials {
  username: string;
  password: string;
}

interface CachedToken {
  token: string;
  /** Epoch milliseconds after which the token is not presented any more. */
  usableUntil: number;
}

/** The distribution spec's default when a token answer has no `expires_in`. */
const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_ANSWER_BYTES = 1 << 20;

/**
 * Bearer tokens by (realm, service, scopes, credentials), kept until they expire so that a check
 * every minute does not ask the token service every minute. Keys are hashes: the cache never
 * holds a password, and a changed password misses.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly capacity = 256) {}

  get(key: string, now: number): string | undefined {
    const cached = this.tokens.get(key);
    if (cached === undefined) return undefined;
    if (cached.usableUntil <= now) {
      this.tokens.delete(key);
      return undefined;
    }
    return cached.token;
  }

  set(key: string, token: string, usableUntil: number): void {
    if (this.tokens.size >= this.capacity) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    this.tokens.set(key, { token, usableUntil });
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }
}

export interface RegistryAuthOptions {
  http: HttpClient;
  /** The registry's API root; its scheme decides whether credentials may go to a plain-HTTP realm. */
  registry: URL;
  credentials?: Credentials;
  /** Scopes asked for up front (`repository:name:pull`), so one token covers every request. */
  scopes: readonly string[];
  tokens: TokenCache;
  now: () => Date;
}

/**
 * Authenticates to one registry the way it asks to: nothing until a 401, then basic auth or
 * the bearer token flow its `WWW-Authenticate` challenge describes.
 */
export class RegistryAuth {
  private mode: 'anonymous' | 'basic' | 'bearer' = 'anonymous';
  private realm: URL | undefined;
  private service: string | undefined;
  /** Actions by resource (`repository:name`), so `pull` and `pull,push` for one repository merge into one scope. */
  private readonly scopes = new Map<string, Set<string>>();
  private pending: Promise<string> | undefined;

  constructor(private readonly options: RegistryAuthOptions) {
    for (const scope of options.scopes) this.addScope(scope);
  }

  /** The Authorization header for a request to the registry itself, if it wants one. */
  async authorization(): Promise<string | undefined> {
    if (this.mode === 'basic') return basicAuthorization(this.options.credentials as Credentials);
    if (this.mode === 'anonymous') return undefined;
    const cached = this.options.tokens.get(this.cacheKey(), this.options.now().getTime());
    return `Bearer ${cached ?? (await this.fetchTokenOnce())}`;
  }

  /**
   * Learns from a 401's challenge how to authenticate. `sent` is the Authorization the refused
   * request carried. Returns true when the request is worth sending again: the caller retries
   * once, so a refused token is replaced once, and concurrent requests refused before any of
   * them authenticated share the one token (or basic header) the first of them set up.
   */
  async challenged(response: { headers: Record<string, string | string[] | undefined> }, sent: string | undefined): Promise<boolean> {
    const value = response.headers['www-authenticate'];
    const challenges = parseAuthChallenges(Array.isArray(value) ? value.join(', ') : (value ?? ''));
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params.realm);
    if (bearer !== undefined) {
      this.realm = parseRealm(bearer.params.realm as string, this.options.registry);
      this.service = bearer.params.service;
      for (const scope of (bearer.params.scope ?? '').split(' ')) this.addScope(scope);
      this.mode = 'bearer';
      const current = this.options.tokens.get(this.cacheKey(), this.options.now().getTime());
      if (current !== undefined && `Bearer ${current}` !== sent) return true;
      this.options.tokens.delete(this.cacheKey());
      await this.fetchTokenOnce();
      return true;
    }
    const credentials = this.options.credentials;
    if (challenges.some((challenge) => challenge.scheme === 'basic') && credentials !== undefined && sent !== basicAuthorization(credentials)) {
      this.mode = 'basic';
      return true;
    }
    return false;
  }

  /** Whether credentials are configured: decides between "refused" and "needs" in errors. */
  get hasCredentials(): boolean {
    return this.options.credentials !== undefined;
  }

  private fetchTokenOnce(): Promise<string> {
    // Concurrent requests (the HEADs of a tag check) share one token request.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const realm = this.realm as URL;
    const url = new URL(realm);
    if (this.service !== undefined) url.searchParams.set('service', this.service);
    for (const scope of this.scopeList()) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    const credentials = this.options.credentials;
    if (credentials) {
      if (url.protocol === 'http:' && this.options.registry.protocol === 'https:') {
        throw new ResourceError(
          'registry-image-insecure-token-realm',
          `the registry at ${this.options.registry.host} asks for credentials to be sent to ${url.host} over plain HTTP`,
          'weir does not send passwords unencrypted; fix the registry\'s token realm to use https',
        );
      }
      headers.authorization = basicAuthorization(credentials);
    }
    const response = await this.options.http.send({ method: 'GET', url, headers });
    const body = await readBody(response, MAX_TOKEN_ANSWER_BYTES);
    if (response.status === 401 || response.status === 403) {
      throw new ResourceError(
        'registry-image-unauthorized',
        `the token service at ${url.host} refused ${credentials ? `the credentials of ${credentials.username}` : 'anonymous access'} for ${this.scopeList().join(' ')}`,
        credentials ? 'check `username` and `password` (for Docker Hub, an access token as password)' : 'set `username` and `password` in the source',
      );
    }
    if (response.status !== 200) {
      throw new ResourceError('registry-image-token-failed', `the token service at ${url.host} answered ${response.status}`, 'retry later; check the registry\'s token service');
    }
    let answer: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      answer = JSON.parse(body.toString('utf8'));
    } catch {
      answer = {};
    }
    const token = typeof answer.token === 'string' ? answer.token : answer.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new ResourceError('registry-image-token-failed', `the token service at ${url.host} answered without a token`, 'check that the registry\'s token realm is a distribution token service');
    }
    const seconds = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : DEFAULT_TOKEN_SECONDS;
    // Expiry counts from our own clock, not the server's `issued_at`, so clock skew between the
    // two cannot make a fresh token look expired; retiring it at 90% of its life keeps a token
    // from expiring while a request that carries it is in flight.
    this.options.tokens.set(this.cacheKey(), token, this.options.now().getTime() + seconds * 900);
    return token;
  }

  private addScope(scope: string): void {
    const split = scope.lastIndexOf(':');
    if (split <= 0) return;
    const resource = scope.slice(0, split);
    const actions = this.scopes.get(resource) ?? new Set<string>();
    for (const action of scope.slice(split + 1).split(',')) if (action !== '') actions.add(action);
    this.scopes.set(resource, actions);
  }

  /** Scopes in a stable order (`repository:name:pull,push`), for the token request and the cache key. */
  private scopeList(): string[] {
    return [...this.scopes].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).sort();
  }

  private cacheKey(): string {
    const credentials = this.options.credentials;
    return createHash('sha256')
      .update(JSON.stringify([this.realm?.href, this.service, this.scopeList(), credentials?.username, credentials?.password]))
      .digest('hex');
  }
}

function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

function parseRealm(realm: string, registry: URL): URL {
  try {
    return new URL(realm, registry);
  } catch {
    throw new ResourceError('registry-image-token-failed', `the registry at ${registry.host} names an invalid token realm`, 'check the registry\'s auth configuration');
  }
}

