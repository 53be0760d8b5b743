import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline as pipelineStreams, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ResourceError } from '../interface.js';
import { RegistryAuth, type Credentials, type TokenCache } from './auth.js';
import { digestMismatch, digestOf, verifyBytes, VerifyingStream } from './digest.js';
import { discard, header, HttpClient, readBody, type HttpRequest, type HttpResponse } from './http-client.js';
import { nextLink } from './link-header.js';
import { parseManifest, type Descriptor, type Manifest } from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { isValidDigest, registryBaseUrl, type RepositoryReference } from './reference.js';

export interface RegistryClientOptions {
  repository: RepositoryReference;
  insecure: boolean;
  credentials?: Credentials;
  caCerts?: readonly string[];
  /** Ask for push access as well as pull (a put). */
  push: boolean;
  /** Other repositories in the same registry this client reads or mounts from (a promotion's source). */
  pullFrom?: readonly string[];
  tokens: TokenCache;
  now: () => Date;
  signal: AbortSignal;
  /** Tags per page when listing; registries cap it (often at 100 or 1000) and page with `Link`. */
  tagPageSize?: number;
}

export interface FetchedManifest {
  /** Exactly as served: these bytes are what the digest names, and what a promotion re-puts. */
  bytes: Buffer;
  mediaType: string;
  digest: string;
  manifest: Manifest;
}

/** A blob to upload, which can be read whole or by byte range (for chunked uploads). */
export interface BlobSource {
  digest: string;
  size: number;
  /** Bytes `start` to `end` inclusive, or all of them. */
  open(range?: { start: number; end: number }): Readable;
}

// The distribution spec lets registries refuse manifests over 4 MiB; nothing larger is a manifest.
const MAX_MANIFEST_BYTES = 4 << 20;
const MAX_ERROR_BYTES = 64 << 10;
const DEFAULT_TAG_PAGE_SIZE = 1000;
const MAX_TAG_PAGES = 10_000;

/** The OCI distribution API for one repository, with auth, verification and errors a user can act on. */
export class RegistryClient {
  readonly base: URL;
  readonly path: string;
  private readonly http: HttpClient;
  private readonly auth: RegistryAuth;

  constructor(private readonly options: RegistryClientOptions) {
    this.base = registryBaseUrl(options.repository, options.insecure);
    this.path = options.repository.path;
    this.http = new HttpClient(options.signal, { ...(options.caCerts && { caCerts: options.caCerts }) });
    const scopes = [
      `repository:${this.path}:${options.push ? 'pull,push' : 'pull'}`,
      ...(options.pullFrom ?? []).filter((path) => path !== this.path).map((path) => `repository:${path}:pull`),
    ];
    this.auth = new RegistryAuth({
      http: this.http,
      registry: this.base,
      ...(options.credentials && { credentials: options.credentials }),
      scopes,
      tokens: options.tokens,
      now: options.now,
    });
  }

  close(): void {
    this.http.close();
  }

  /** Every tag, following the registry's pages; undefined when the repository does not exist. */
  async listTags(): Promise<string[] | undefined> {
    const tags: string[] = [];
    let url: URL | undefined = this.url(`${this.path}/tags/list`);
    url.searchParams.set('n', String(this.options.tagPageSize ?? DEFAULT_TAG_PAGE_SIZE));
    const seen = new Set<string>();
    while (url !== undefined) {
      if (seen.has(url.href) || seen.size === MAX_TAG_PAGES) {
        throw new ResourceError('registry-image-pagination-loop', `the registry at ${this.base.host} keeps paging the tags of ${this.path}`, 'report it to the registry\'s operators');
      }
      seen.add(url.href);
      const response = await this.request({ method: 'GET', url }, [200, 404]);
      if (response.status === 404) {
        discard(response);
        return undefined;
      }
      const page = parseJson(await readBody(response, MAX_MANIFEST_BYTES * 4)) as { tags?: unknown } | undefined;
      if (page === undefined || (page.tags !== null && page.tags !== undefined && !Array.isArray(page.tags))) {
        throw new ResourceError('registry-image-invalid-answer', `the tag list of ${this.path} from ${this.base.host} is not valid JSON`, 'check that `repository` points at an OCI registry');
      }
      for (const tag of (page.tags ?? []) as unknown[]) if (typeof tag === 'string') tags.push(tag);
      const next = nextLink(header(response, 'link'));
      url = next === undefined ? undefined : new URL(next, this.base);
    }
    return tags;
  }

  /** The digest a tag (or digest) resolves to, by HEAD; undefined when there is no such manifest. */
  async resolveDigest(reference: string): Promise<string | undefined> {
    const response = await this.request({ method: 'HEAD', url: this.url(`${this.path}/manifests/${reference}`), headers: { accept: MANIFEST_ACCEPT } }, [200, 404, 405]);
    discard(response);
    if (response.status === 404) return undefined;
    const digest = header(response, 'docker-content-digest');
    if (response.status === 200 && digest !== undefined && isValidDigest(digest)) return digest;
    // Some registries refuse HEAD or leave the header out; the hash of the body is the digest.
    return (await this.fetchManifest(reference))?.digest;
  }

  /** A manifest by tag or digest, verified against its digest; undefined when there is none. */
  async fetchManifest(reference: string, repository = this.path): Promise<FetchedManifest | undefined> {
    const response = await this.request({ method: 'GET', url: this.url(`${repository}/manifests/${reference}`), headers: { accept: MANIFEST_ACCEPT } }, [200, 404]);
    if (response.status === 404) {
      discard(response);
      return undefined;
    }
    const bytes = await readBody(response, MAX_MANIFEST_BYTES);
    const what = `the manifest ${repository}:${reference}`;
    let digest: string;
    if (isValidDigest(reference)) {
      verifyBytes(bytes, reference, what);
      digest = reference;
    } else {
      digest = digestOf(bytes);
      const announced = header(response, 'docker-content-digest');
      if (announced?.startsWith('sha256:') && announced !== digest) throw digestMismatch(what, announced, digest);
    }
    const manifest = parseManifest(bytes, header(response, 'content-type'), what);
    return { bytes, mediaType: manifest.mediaType, digest, manifest };
  }

  async blobExists(digest: string): Promise<boolean> {
    const response = await this.request({ method: 'HEAD', url: this.url(`${this.path}/blobs/${digest}`) }, [200, 404]);
    discard(response);
    return response.status === 200;
  }

  /**
   * A blob's bytes as they arrive, so they can be used while they download. They are not
   * verified until the stream ends: it errors then (registry-image-digest-mismatch or
   * -size-mismatch) if they do not match the descriptor, so whatever was made from them must be
   * kept apart until the end and discarded on an error.
   */
  async openBlob(descriptor: Descriptor, repository = this.path): Promise<Readable> {
    const response = await this.request({ method: 'GET', url: this.url(`${repository}/blobs/${descriptor.digest}`) }, [200]);
    // The callback form returns the verifier and destroys both streams when either fails or is destroyed.
    return pipelineStreams(response.body, new VerifyingStream(descriptor.digest, descriptor.size, `the blob ${descriptor.digest} of ${repository}`), () => undefined);
  }

  /** Downloads a blob into `file`, verifying size and digest; a file that fails is removed. */
  async downloadBlob(descriptor: Descriptor, file: string, repository = this.path): Promise<void> {
    const blob = await this.openBlob(descriptor, repository);
    try {
      await pipeline(blob, createWriteStream(file));
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  }

  /**
   * Uploads a blob: in one PUT when it fits in a chunk, else as PATCHes of `chunkSize` bytes and
   * a closing PUT, so a large layer never has to be sent (or retried) in one request.
   */
  async uploadBlob(blob: BlobSource, chunkSize: number): Promise<void> {
    const started = await this.request({ method: 'POST', url: this.url(`${this.path}/blobs/uploads/`) }, [202]);
    discard(started);
    let location = this.location(started);
    if (blob.size <= chunkSize) {
      const response = await this.request(
        { method: 'PUT', url: withDigest(location, blob.digest), headers: { 'content-type': 'application/octet-stream' }, body: { length: blob.size, open: () => blob.open() } },
        [201],
      );
      discard(response);
      return;
    }
    for (let start = 0; start < blob.size; start += chunkSize) {
      const end = Math.min(blob.size, start + chunkSize) - 1;
      const response = await this.request(
        {
          method: 'PATCH',
          url: location,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}` },
          body: { length: end - start + 1, open: () => blob.open({ start, end }) },
        },
        [202],
      );
      discard(response);
      location = this.location(response);
    }
    discard(await this.request({ method: 'PUT', url: withDigest(location, blob.digest) }, [201]));
  }

  /**
   * Asks the registry to link a blob from another of its repositories into this one, which
   * copies nothing. False when it declines (it then opens an upload, which is cancelled).
   */
  async mountBlob(digest: string, from: string): Promise<boolean> {
    const url = this.url(`${this.path}/blobs/uploads/`);
    url.searchParams.set('mount', digest);
    url.searchParams.set('from', from);
    const response = await this.request({ method: 'POST', url }, [201, 202]);
    discard(response);
    if (response.status === 201) return true;
    discard(await this.request({ method: 'DELETE', url: this.location(response) }, [204, 404]));
    return false;
  }

  /** Puts manifest bytes under a tag or digest; returns the digest the registry stored them as. */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const response = await this.request({ method: 'PUT', url: this.url(`${this.path}/manifests/${reference}`), headers: { 'content-type': mediaType }, body: bytes }, [201]);
    discard(response);
    const digest = digestOf(bytes);
    const stored = header(response, 'docker-content-digest');
    if (stored?.startsWith('sha256:') && stored !== digest) throw digestMismatch(`the manifest stored as ${this.path}:${reference}`, digest, stored);
    return digest;
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }

  private location(response: HttpResponse): URL {
    const location = header(response, 'location');
    if (location === undefined) {
      throw new ResourceError('registry-image-invalid-answer', `the registry at ${this.base.host} started an upload without a Location`, 'check that `repository` points at an OCI registry');
    }
    return new URL(location, this.base);
  }

  /**
   * One API request: authorization added for the registry's own origin only, one retry after
   * an auth challenge, and any status not in `expected` turned into a ResourceError.
   */
  private async request(request: HttpRequest, expected: readonly number[]): Promise<HttpResponse> {
    const toRegistry = request.url.origin === this.base.origin;
    for (let attempt = 0; ; attempt++) {
      const headers = { ...request.headers };
      const authorization = toRegistry ? await this.auth.authorization() : undefined;
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await this.http.send({ ...request, headers });
      if (response.status === 401 && attempt === 0 && toRegistry && (await this.auth.challenged(response, authorization))) {
        discard(response);
        continue;
      }
      if (expected.includes(response.status)) return response;
      throw await this.failure(request, response);
    }
  }

  private async failure(request: HttpRequest, response: HttpResponse): Promise<ResourceError> {
    const host = this.base.host;
    const repository = this.path;
    const body = request.method === 'HEAD' || response.status === 401 ? Buffer.alloc(0) : await readBody(response, MAX_ERROR_BYTES).catch(() => Buffer.alloc(0));
    discard(response);
    const detail = registryErrorText(body);
    switch (response.status) {
      case 401:
        return this.auth.hasCredentials
          ? new ResourceError('registry-image-unauthorized', `the registry at ${host} refused the credentials for ${repository}`, 'check `username` and `password` (for Docker Hub, an access token as password)')
          : new ResourceError('registry-image-unauthorized', `the registry at ${host} requires credentials for ${repository}`, 'set `username` and `password` in the source');
      case 403:
        return new ResourceError('registry-image-forbidden', `the registry at ${host} denied ${this.options.push ? 'pushing to' : 'pulling from'} ${repository}${detail && `: ${detail}`}`, 'check that the user may access this repository with these permissions');
      case 429:
        return new ResourceError('registry-image-rate-limited', `the registry at ${host} is rate limiting requests for ${repository}`, 'wait and retry, or set `username` and `password`: registries allow signed-in users more requests');
      case 404:
        return new ResourceError('registry-image-not-found', `${repository} has no ${describe(request.url)} at ${host}${detail && `: ${detail}`}`, 'check `repository` and that the image was pushed');
      default:
        if (response.status === 400 && body.toString('utf8').includes('HTTPS server')) {
          return new ResourceError('registry-image-tls-required', `the registry at ${host} serves HTTPS`, 'remove `insecure: true` from the source');
        }
        if (response.status === 400 && request.method === 'HEAD' && this.base.protocol === 'http:') {
          // A HEAD answer has no body to tell a TLS port from a real bad request.
          return new ResourceError('registry-image-request-failed', `the registry at ${host} answered 400 to HEAD ${request.url.pathname}`, 'if the registry serves HTTPS, remove `insecure: true` from the source');
        }
        return new ResourceError(
          'registry-image-request-failed',
          `the registry at ${host} answered ${response.status} to ${request.method} ${request.url.pathname}${detail && `: ${detail}`}`,
          response.status >= 500 ? 'the registry had a problem; retry later' : 'check the image and the source configuration',
        );
    }
  }
}

function withDigest(location: URL, digest: string): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The registry's own error codes and messages (`{"errors": [{code, message}]}`), for the user. */
function registryErrorText(body: Buffer): string {
  const parsed = parseJson(body) as { errors?: Array<{ code?: unknown; message?: unknown }> } | undefined;
  if (parsed && Array.isArray(parsed.errors)) {
    return parsed.errors.map((error) => [error.code, error.message].filter((part) => typeof part === 'string' && part !== '').join(' ')).join('; ');
  }
  return body.toString('utf8').trim().slice(0, 200);
}

function describe(url: URL): string {
  const match = /\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
  return match ? `${match[1] === 'manifests' ? 'manifest' : 'blob'} ${match[2]}` : url.pathname;
}
