import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { ResourceError } from '../interface.js';

/** A request body the client can send again (after an auth challenge): bytes, or a way to reopen a stream. */
export type HttpBody = Buffer | { length: number; open(): Readable };

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  /** Lowercase names. */
  headers?: Record<string, string>;
  body?: HttpBody;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: URL;
  body: http.IncomingMessage;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
// Long enough for a registry assembling a large blob, short enough that a dead peer errors the step.
const IDLE_TIMEOUT_MS = 120_000;
const CREDENTIAL_HEADERS = ['authorization', 'cookie'];
// As many connections as a check has digest lookups in flight.
const MAX_SOCKETS_PER_HOST = 8;
const USER_AGENT = 'weir-registry-image';

const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
]);

/**
 * HTTP over `node:http`/`node:https` rather than the global fetch: Node 20's fetch (undici)
 * takes no CA bundle without undici's own Agent, which is not a dependency here, while
 * `ca_certs` must apply to every request, redirects included. Owning the request also lets the
 * client stream large uploads with an exact Content-Length, reuse connections across the
 * hundreds of HEADs of a tag check, and decide per redirect whether credentials go along.
 */
export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** In flight, so one abort listener (not one per request, which trips Node's leak warning) can end them all. */
  private readonly active = new Set<http.ClientRequest>();
  private readonly abortAll = (): void => {
    for (const request of this.active) request.destroy(this.signal.reason as Error);
  };

  constructor(
    private readonly signal: AbortSignal,
    options: { caCerts?: readonly string[] } = {},
  ) {
    signal.addEventListener('abort', this.abortAll, { once: true });
    const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST };
    this.httpAgent = new http.Agent(agentOptions);
    // Custom CAs are added to the system roots, as docker does, rather than replacing them:
    // a registry's token realm is often on another host with a public certificate.
    const ca = options.caCerts && options.caCerts.length > 0 ? [...rootCertificates, ...options.caCerts] : undefined;
    this.httpsAgent = new https.Agent({ ...agentOptions, ...(ca && { ca }) });
  }

  /**
   * Sends a request. GET and HEAD follow redirects (registries send blob downloads to storage
   * hosts); when a redirect leaves the origin, credentials are dropped and never come back.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let headers = request.headers ?? {};
    for (let hops = 0; ; hops++) {
      const response = await this.once(request.method, url, headers, request.body);
      const location = response.headers.location;
      const follow = REDIRECT_STATUSES.has(response.status) && location !== undefined && (request.method === 'GET' || request.method === 'HEAD');
      if (!follow) return response;
      discard(response);
      if (hops === MAX_REDIRECTS) {
        throw new ResourceError('registry-image-too-many-redirects', `the registry at ${request.url.host} redirected more than ${MAX_REDIRECTS} times`, 'check the registry and any proxy in front of it');
      }
      const next = new URL(location, url);
      if (next.origin !== url.origin) headers = withoutCredentials(headers);
      url = next;
    }
  }

  close(): void {
    this.signal.removeEventListener('abort', this.abortAll);
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private once(method: string, url: URL, headers: Record<string, string>, body: HttpBody | undefined): Promise<HttpResponse> {
    const secure = url.protocol === 'https:';
    const requestHeaders: Record<string, string> = { 'user-agent': USER_AGENT, ...headers };
    if (body !== undefined) requestHeaders['content-length'] = String(body.length);
    else if (method === 'PUT' || method === 'POST' || method === 'PATCH') requestHeaders['content-length'] = '0';
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) {
        reject(this.signal.reason);
        return;
      }
      const request = (secure ? https : http).request(
        url,
        { method, headers: requestHeaders, agent: secure ? this.httpsAgent : this.httpAgent, timeout: IDLE_TIMEOUT_MS },
        (response) => resolve({ status: response.statusCode ?? 0, headers: response.headers, url, body: response }),
      );
      this.active.add(request);
      request.on('close', () => this.active.delete(request));
      request.on('timeout', () => {
        request.destroy(new ResourceError('registry-image-timeout', `the registry at ${url.host} did not answer for ${IDLE_TIMEOUT_MS / 1000} s`, 'retry later; check the registry\'s health'));
      });
      request.on('error', (error) => reject(networkFailure(error, url)));
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else {
        const source = body.open();
        source.on('error', (error) => request.destroy(error));
        source.pipe(request);
      }
    });
  }
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
}

function networkFailure(error: NodeJS.ErrnoException, url: URL): Error {
  if (error instanceof ResourceError || error.name === 'AbortError') return error;
  const code = error.code ?? '';
  const host = url.host;
  if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new ResourceError('registry-image-certificate-untrusted', `the TLS certificate of ${host} is not trusted (${code})`, 'add the PEM certificate of the CA that signed it to `ca_certs`');
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ResourceError('registry-image-certificate-mismatch', `the TLS certificate of ${host} is not issued for that name`, 'use the host name (or IP address) the certificate names in `repository`');
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_')) {
    return new ResourceError('registry-image-tls-failed', `the TLS handshake with ${host} failed (${code})`, 'if the registry serves plain HTTP, set `insecure: true`');
  }
  return new ResourceError('registry-image-unreachable', `cannot reach the registry at ${host}: ${code || error.message}`, 'check the host and port in `repository` and that the registry is running');
}

/** The whole body, refusing more than `limit` bytes (manifests and token answers are small). */
export async function readBody(response: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      response.body.destroy();
      throw new ResourceError('registry-image-response-too-large', `the answer from ${response.url.host}${response.url.pathname} is larger than ${limit} bytes`, 'check that `repository` points at an OCI registry');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Lets a response go without reading it, so its connection returns to the pool. */
export function discard(response: HttpResponse): void {
  response.body.resume();
}

export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
