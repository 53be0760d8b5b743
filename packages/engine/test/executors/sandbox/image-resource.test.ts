import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKey, leaseImageResource } from '../../../src/executors/sandbox/image-resource.js';
import { ImageStore } from '../../../src/executors/sandbox/image-store.js';
import { runSandboxed } from '../../../src/executors/sandbox/sandbox-process.js';
import { context, freshType, pushWithType } from '../../../../resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../../../resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../../../resources/test/registry-image/support/registry.js';
import { requireTools } from '../../../../resources/test/registry-image/support/tools.js';
import { silentLogger } from '../../support/engine.js';
import { busyboxLayer, requireSandbox } from '../../support/sandbox-images.js';

const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('leaseImageResource against a real registry', () => {
  let registry: RunningRegistry;
  let root: string;
  let digest: string;
  const type = freshType();
  const source = () => ({ repository: `${registry.host}/tools/busybox`, tag: 'stable', insecure: true });

  beforeAll(async () => {
    registry = await startRegistry();
    root = mkdtempSync(join(tmpdir(), 'weir-image-resource-'));
    const image = await buildImage({ layers: [busyboxLayer({ files: { 'etc/motd': 'inside the image\n' } })], env: ['PATH=/bin', 'TOOL=busybox'], user: '' });
    digest = await pushWithType(type, source(), image);
  });
  afterAll(async () => {
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('checks for the latest version, fetches it once into the store, and runs in it', async () => {
    const store = await ImageStore.open({ root: join(root, 'a'), maxBytes: 1 << 30, logger: silentLogger });
    const request = { resource: { type: 'registry-image', source: source() }, type, store, location: 'task test' };
    const first = await leaseImageResource({ ...request, context: context() });
    expect(first.version).toMatchObject({ digest, tag: 'stable' });
    expect(first.key).toBe(digest);
    expect(first.fetched).toBe(true);
    expect(first.config.env).toEqual({ PATH: '/bin', TOOL: 'busybox' });
    const second = await leaseImageResource({ ...request, context: context() });
    expect(second.fetched).toBe(false);
    expect(second.rootfs).toBe(first.rootfs);

    const lines: string[] = [];
    await runSandboxed({ rootfs: first.rootfs, argv: ['cat', '/etc/motd'], env: first.config.env, cwd: '/', signal: new AbortController().signal, onOutput: (_s, line) => lines.push(line) });
    expect(lines).toEqual(['inside the image']);
    first.release();
    second.release();
  });

  it('says which image does not exist', async () => {
    const store = await ImageStore.open({ root: join(root, 'b'), maxBytes: 1 << 30, logger: silentLogger });
    const missing = leaseImageResource({
      resource: { type: 'registry-image', source: { ...source(), repository: `${registry.host}/tools/nothing` } },
      type,
      store,
      context: context(),
      location: 'task test',
    });
    await expect(missing).rejects.toMatchObject({ code: 'image-not-found' });
    expect(store.list()).toEqual([]);
  });

  it('keeps nothing in the store when a layer does not match its digest', async () => {
    const corrupted = { repository: `${registry.host}/tools/corrupted`, tag: 'v1', insecure: true };
    const image = await buildImage({ layers: [busyboxLayer(), [{ path: 'data/random', file: randomBytes(8 << 20) }]] });
    await pushWithType(type, corrupted, image);
    const hex = image.layers[1]!.digest.slice('sha256:'.length);
    const stored = join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(stored);
    // Inside the gzip header: unpacking fails at once, the digest only at the layer's end.
    bytes.writeUInt8(bytes.readUInt8(3) ^ 0xff, 3);
    writeFileSync(stored, bytes);
    const storeRoot = join(root, 'c');
    const store = await ImageStore.open({ root: storeRoot, maxBytes: 1 << 30, logger: silentLogger });
    const lease = leaseImageResource({ resource: { type: 'registry-image', source: corrupted }, type, store, context: context(), location: 'task test' });
    await expect(lease).rejects.toMatchObject({ code: 'registry-image-digest-mismatch', message: expect.stringContaining(image.layers[1]!.digest) });
    expect(store.list()).toEqual([]);
    expect(readdirSync(join(storeRoot, 'entries'))).toEqual([]);
    expect(existsSync(join(storeRoot, 'staging')) ? readdirSync(join(storeRoot, 'staging')) : []).toEqual([]);
  });

  it('keys an image by its digest, and by params that change what is fetched', () => {
    const version = { digest: `sha256:${'a'.repeat(64)}`, tag: 'x' };
    expect(imageKey('registry-image', version, {})).toBe(version.digest);
    expect(imageKey('registry-image', { ...version, tag: 'y' }, {})).toBe(version.digest);
    expect(imageKey('registry-image', version, { platform: { architecture: 'arm64' } })).not.toBe(version.digest);
    expect(imageKey('s3', { path: 'a.tgz' }, {})).toMatch(/^s3:[0-9a-f]{64}$/);
  });
});
