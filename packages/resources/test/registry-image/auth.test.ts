import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htpasswdFile, selfSignedCertificate, type Certificate } from './support/certificates.js';
import { context, freshType, labelledImage, pushWithType, tempDirs } from './support/fixtures.js';
import { buildImage } from './support/images.js';
import { startProxy, type RunningProxy } from './support/proxy.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { skopeoInspect } from './support/skopeo.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';
import { requireTools } from './support/tools.js';

const available = requireTools(['docker-registry', 'skopeo', 'openssl']);

describe.skipIf(!available)('registry-image authentication against a real registry', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  describe('basic auth behind TLS with a self-signed certificate', () => {
    let registry: RunningRegistry;
    let certificate: Certificate;
    let certDir: string;
    const password = 's3cret-Passw0rd';
    const trusted = (repository: string, extra: Record<string, unknown> = {}) => ({
      repository: `${registry.host}/${repository}`,
      ca_certs: [certificate.certPem],
      username: 'weir',
      password,
      ...extra,
    });

    beforeAll(async () => {
      const dir = dirs.make();
      certificate = selfSignedCertificate(dir, 'registry');
      certDir = join(dir, 'skopeo-certs');
      mkdirSync(certDir);
      copyFileSync(certificate.certFile, join(certDir, 'ca.crt'));
      registry = await startRegistry({ tls: certificate, auth: { htpasswd: { path: htpasswdFile(dir, { weir: password }) } } });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('pushes, checks and fetches with the CA from ca_certs and the credentials', async () => {
      const type = freshType();
      const image = await buildImage({ layers: [[{ path: 'secret.txt', file: 'private' }]] });
      const digest = await pushWithType(type, trusted('private', { tag: 'v1' }), image);
      expect(digest).toBe(image.digest);
      expect((await skopeoInspect(`${registry.host}/private:v1`, { certDir, creds: `weir:${password}` })).Digest).toBe(digest);
      expect(await type.check(context(), trusted('private', { tag: 'v1' }))).toEqual([{ version: { tag: 'v1', digest } }]);
      const dir = dirs.make();
      await type.get(context(), trusted('private'), { tag: 'v1', digest }, {}, dir);
    });

    it('says to add ca_certs when the certificate is not trusted', async () => {
      const { ca_certs: _, ...untrusted } = trusted('private', { tag: 'v1' });
      await expect(freshType().check(context(), untrusted)).rejects.toMatchObject({ code: 'registry-image-certificate-untrusted', hint: expect.stringContaining('ca_certs') });
    });

    it('tells missing credentials from refused ones, and never shows the password', async () => {
      const { username: _u, password: _p, ...anonymous } = trusted('private', { tag: 'v1' });
      await expect(freshType().check(context(), anonymous)).rejects.toMatchObject({ code: 'registry-image-unauthorized', message: expect.stringContaining('requires credentials') });
      const refused = await freshType()
        .check(context(), trusted('private', { tag: 'v1', password: 'wrong-password' }))
        .catch((error: Error & { hint?: string }) => error);
      expect(refused).toMatchObject({ code: 'registry-image-unauthorized', message: expect.stringContaining('refused the credentials') });
      expect(`${(refused as Error).message} ${(refused as { hint?: string }).hint}`).not.toContain('wrong-password');
    });

    it('says the registry serves HTTPS when insecure is set', async () => {
      await expect(freshType().check(context(), { ...trusted('private', { tag_regex: '.*' }), insecure: true })).rejects.toMatchObject({ code: 'registry-image-tls-required' });
      await expect(freshType().check(context(), { ...trusted('private', { tag: 'v1' }), insecure: true })).rejects.toMatchObject({ hint: expect.stringContaining('remove `insecure: true`') });
    });

    it('lets get params override the source credentials, as Concourse does', async () => {
      const type = freshType();
      const digest = await pushWithType(type, trusted('override', { tag: 'v1' }), await labelledImage('override'));
      const source = trusted('override', { password: 'stale-password' });
      await type.get(context(), source, { tag: 'v1', digest }, { password }, dirs.make());
    });
  });

  describe('token auth (the bearer flow) with a token service', () => {
    let registry: RunningRegistry;
    let tokens: TokenServer;
    const password = 'token-Passw0rd';
    const signedIn = (repository: string, extra: Record<string, unknown> = {}) => ({ repository: `${registry.host}/${repository}`, insecure: true, username: 'weir', password, ...extra });

    beforeAll(async () => {
      const dir = dirs.make();
      const signing = selfSignedCertificate(dir, 'token-signer');
      tokens = await startTokenServer({ service: 'weir-registry', issuer: 'weir-token-issuer', keyPem: readFileSync(signing.keyFile, 'utf8'), certPem: signing.certPem, users: { weir: password }, expiresIn: 300 });
      registry = await startRegistry({ auth: { token: { realm: tokens.realm, service: 'weir-registry', issuer: 'weir-token-issuer', rootCertBundle: signing.certFile } } });
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.stop();
    });

    it('pushes with a token for pull and push, and reads public repositories anonymously', async () => {
      const type = freshType();
      const digest = await pushWithType(type, signedIn('public/app', { tag: 'v1' }), await labelledImage('public'));
      expect(tokens.requests).toContainEqual({ user: 'weir', scopes: ['repository:public/app:pull,push'] });
      expect(await freshType().check(context(), { repository: `${registry.host}/public/app`, insecure: true, tag: 'v1' })).toEqual([{ version: { tag: 'v1', digest } }]);
      expect(tokens.requests.at(-1)).toEqual({ user: undefined, scopes: ['repository:public/app:pull'] });
      expect((await skopeoInspect(`${registry.host}/public/app:v1`, { creds: `weir:${password}` })).Digest).toBe(digest);
    });

    it('keeps a token until it expires, across calls, and then asks for a new one', async () => {
      const type = freshType();
      const start = new Date();
      const ctx = context({ now: start });
      await pushWithType(type, signedIn('cached', { tag: 'v1' }), await labelledImage('cached'));
      await type.check(ctx, signedIn('cached', { tag: 'v1' }));
      const asked = tokens.requests.length;
      await type.check(ctx, signedIn('cached', { tag: 'v1' }));
      await type.check(ctx, signedIn('cached'));
      expect(tokens.requests.length).toBe(asked);
      ctx.setNow(new Date(start.getTime() + 300_000));
      await type.check(ctx, signedIn('cached', { tag: 'v1' }));
      expect(tokens.requests.length).toBe(asked + 1);
    });

    it('promotes across repositories with one token for pull on the source and push on the target', async () => {
      const type = freshType();
      const digest = await pushWithType(type, signedIn('team/candidates', { tag: 'build-1' }), await labelledImage('promote-with-token'));
      const work = dirs.make();
      await type.get(context(), signedIn('team/candidates'), { tag: 'build-1', digest }, { skip_download: true }, join(work, 'candidate'));
      const result = await type.put(context(), signedIn('team/releases', { tag: 'prod' }), { promote: 'candidate' }, work);
      expect(result.version).toEqual({ tag: 'prod', digest });
      expect(tokens.requests).toContainEqual({ user: 'weir', scopes: ['repository:team/candidates:pull', 'repository:team/releases:pull,push'] });
    });

    it('asks a private repository for credentials, and reports refused ones', async () => {
      await pushWithType(freshType(), signedIn('private', { tag: 'v1' }), await labelledImage('private'));
      await expect(freshType().check(context(), { repository: `${registry.host}/private`, insecure: true, tag: 'v1' })).rejects.toMatchObject({
        code: 'registry-image-unauthorized',
        hint: expect.stringContaining('username'),
      });
      await expect(freshType().check(context(), signedIn('private', { tag: 'v1', password: 'nope' }))).rejects.toMatchObject({
        code: 'registry-image-unauthorized',
        message: expect.stringContaining('token service'),
      });
    });
  });

  describe('redirects and chunked uploads, seen through a recording proxy', () => {
    let registry: RunningRegistry;
    let front: RunningProxy;
    let storage: RunningProxy;
    const password = 'redirect-Passw0rd';
    const basic = `Basic ${Buffer.from(`weir:${password}`).toString('base64')}`;

    beforeAll(async () => {
      const dir = dirs.make();
      registry = await startRegistry({ auth: { htpasswd: { path: htpasswdFile(dir, { weir: password }) } } });
      // The storage host stands for S3 behind a presigned URL: it authorizes upstream itself.
      storage = await startProxy(registry.host, { upstreamAuthorization: basic });
      front = await startProxy(registry.host, { redirectBlobsTo: storage.origin });
    });
    afterAll(async () => {
      await front?.stop();
      await storage?.stop();
      await registry?.stop();
    });

    it('follows a blob redirect to another host without sending it the credentials', async () => {
      const type = freshType();
      const source = { repository: `${front.host}/redirected`, insecure: true, username: 'weir', password };
      const image = await buildImage({ layers: [[{ path: 'file', file: 'through a redirect' }]] });
      await pushWithType(type, { ...source, tag: 'v1' }, image);
      await type.get(context(), source, { tag: 'v1', digest: image.digest }, {}, dirs.make());
      const redirected = front.requests.filter((request) => request.method === 'GET' && request.path.includes('/blobs/'));
      expect(redirected.length).toBeGreaterThan(0);
      expect(redirected.every((request) => request.authorized)).toBe(true);
      const atStorage = storage.requests.filter((request) => request.path.includes('/blobs/'));
      expect(atStorage).toHaveLength(redirected.length);
      expect(atStorage.some((request) => request.authorized)).toBe(false);
    });

    it('uploads a large blob as PATCH chunks and a closing PUT', async () => {
      const type = freshType({ uploadChunkBytes: 16 * 1024 });
      // Random bytes, so that gzip cannot shrink the layer below the chunk size.
      const image = await buildImage({ layers: [[{ path: 'big', file: randomBytes(60_000).toString('base64') }]] });
      const before = front.requests.length;
      await pushWithType(type, { repository: `${front.host}/chunks`, insecure: true, username: 'weir', password, tag: 'v1' }, image);
      const patches = front.requests.slice(before).filter((request) => request.method === 'PATCH');
      const layerSize = (image.layers[0] as { bytes: Buffer }).bytes.length;
      expect(layerSize).toBeGreaterThan(16 * 1024);
      expect(patches).toHaveLength(Math.ceil(layerSize / (16 * 1024)));
    });
  });
});
