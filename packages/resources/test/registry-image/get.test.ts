import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, freshType, pushWithType, tempDirs } from './support/fixtures.js';
import { buildImage, buildIndex, writeOciLayout, type BuiltImage, type BuiltIndex } from './support/images.js';
import { startProxy } from './support/proxy.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { skopeoCopy, skopeoInspect } from './support/skopeo.js';
import { requireTools, run } from './support/tools.js';

const available = requireTools(['docker-registry', 'skopeo']);

describe.skipIf(!available)('registry-image get against a real registry', () => {
  let registry: RunningRegistry;
  const type = freshType();
  const dirs = tempDirs();
  const source = (repository: string, extra: Record<string, unknown> = {}) => ({ repository: `${registry.host}/${repository}`, insecure: true, ...extra });

  let layered: BuiltImage;
  let multiArch: BuiltIndex;

  beforeAll(async () => {
    registry = await startRegistry();
    layered = await buildImage({
      env: ['PATH=/bin', 'GREETING=hello'],
      user: 'app',
      labels: { 'org.opencontainers.image.source': 'weir-test' },
      layers: [
        [
          { path: 'etc/hello', file: 'hello\n' },
          { path: 'etc/keep', file: 'keep\n' },
          { path: 'var/cache/a', file: 'a' },
          { path: 'var/cache/b', file: 'b' },
          { path: 'bin/tool', file: '#!/bin/sh\n', mode: 0o755 },
          { path: 'bin/tool-link', hardlink: 'bin/tool' },
          { path: 'home/user', dir: true, mode: 0o700 },
          { path: 'usr/lib/libx.so', file: 'lib' },
          { path: 'lib', symlink: 'usr/lib' },
          { path: 'data/dir/inner', file: 'inner' },
        ],
        [
          { path: 'etc/.wh.hello', file: '' },
          // Added before the opaque marker in the same layer: the marker clears lower layers only.
          { path: 'var/cache/c', file: 'c' },
          { path: 'var/cache/.wh..wh..opq', file: '' },
        ],
        [
          { path: 'data/dir', file: 'now a file' },
          // A whiteout through a lower layer's symlink must not delete what the link points at.
          { path: 'lib/.wh.libx.so', file: '' },
        ],
      ],
    });
    await pushWithType(type, source('layered', { tag: 'v1' }), layered);
    const amd64 = await buildImage({ layers: [[{ path: 'arch', file: 'amd64' }]], platform: { os: 'linux', architecture: 'amd64' } });
    const arm64 = await buildImage({ layers: [[{ path: 'arch', file: 'arm64' }]], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    multiArch = buildIndex([amd64, arm64]);
    await pushWithType(type, source('multi', { tag: 'v1' }), multiArch);
  });
  afterAll(async () => {
    await registry?.stop();
    dirs.cleanup();
  });

  /** Flips one byte of a blob in the registry's storage, keeping its length. */
  function corruptStoredBlob(digest: string, offset: (bytes: Buffer) => number): void {
    const hex = digest.slice('sha256:'.length);
    const stored = join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(stored);
    const at = offset(bytes);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    writeFileSync(stored, bytes);
  }

  it('gets a version pinned by digest alone (an image_resource version), taking the tag from the source', async () => {
    const dir = dirs.make();
    const result = await type.get(context(), source('layered', { tag: 'v1' }), { digest: layered.digest } as never, { skip_download: true }, dir);
    expect(result.version).toEqual({ tag: 'v1', digest: layered.digest });
    expect(readFileSync(join(dir, 'tag'), 'utf8')).toBe('v1');
  });

  it('unpacks the layers in order into rootfs/, honouring whiteouts, modes and links', async () => {
    const dir = dirs.make();
    const ctx = context();
    const result = await type.get(ctx, source('layered'), { tag: 'v1', digest: layered.digest }, {}, dir);
    expect(result).toEqual({ version: { tag: 'v1', digest: layered.digest }, metadata: [{ name: 'repository', value: `${registry.host}/layered` }] });
    expect(readdirSync(dir).sort()).toEqual(['digest', 'labels.json', 'metadata.json', 'repository', 'rootfs', 'tag']);
    expect(readFileSync(join(dir, 'digest'), 'utf8')).toBe(layered.digest);
    expect(readFileSync(join(dir, 'tag'), 'utf8')).toBe('v1');
    expect(readFileSync(join(dir, 'repository'), 'utf8')).toBe(`${registry.host}/layered`);

    const rootfs = join(dir, 'rootfs');
    expect(existsSync(join(rootfs, 'etc/hello'))).toBe(false);
    expect(readFileSync(join(rootfs, 'etc/keep'), 'utf8')).toBe('keep\n');
    expect(readdirSync(join(rootfs, 'var/cache'))).toEqual(['c']);
    expect(statSync(join(rootfs, 'bin/tool')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(rootfs, 'bin/tool-link')).ino).toBe(statSync(join(rootfs, 'bin/tool')).ino);
    expect(statSync(join(rootfs, 'home/user')).mode & 0o7777).toBe(0o700);
    expect(readlinkSync(join(rootfs, 'lib'))).toBe('usr/lib');
    expect(readFileSync(join(rootfs, 'usr/lib/libx.so'), 'utf8')).toBe('lib');
    expect(lstatSync(join(rootfs, 'data/dir')).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))).toEqual({ env: ['PATH=/bin', 'GREETING=hello'], user: 'app', working_dir: '', entrypoint: null, cmd: null, os: 'linux', architecture: 'amd64' });
    expect(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'))).toEqual({ 'org.opencontainers.image.source': 'weir-test' });
  });

  it('writes only the version files with skip_download', async () => {
    const dir = dirs.make();
    await type.get(context(), source('layered'), { tag: 'v1', digest: layered.digest }, { skip_download: true }, dir);
    expect(readdirSync(dir).sort()).toEqual(['digest', 'repository', 'tag']);
  });

  it('writes an OCI layout that skopeo reads and a put pushes back unchanged', async () => {
    const work = dirs.make();
    await type.get(context(), source('multi'), { tag: 'v1', digest: multiArch.digest }, { format: 'oci-layout' }, join(work, 'fetched'));
    const layout = join(work, 'fetched/oci');
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    expect(index.manifests).toEqual([expect.objectContaining({ digest: multiArch.digest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } })]);
    // Every platform's manifest, config and layer: an index, 2 manifests, 2 configs, 2 layers.
    expect(readdirSync(join(layout, 'blobs/sha256'))).toHaveLength(7);
    expect(JSON.parse(run('skopeo', ['inspect', '--raw', `oci:${layout}:v1`])).manifests).toHaveLength(2);
    const put = await type.put(context(), source('copied', { tag: 'v1' }), { image: 'fetched/oci' }, work);
    expect(put.version.digest).toBe(multiArch.digest);
  });

  it('writes image.tar that reads as an OCI archive and as docker save output', async () => {
    const dir = dirs.make();
    await type.get(context(), source('layered'), { tag: 'v1', digest: layered.digest }, { format: 'oci' }, dir);
    expect(readdirSync(dir).sort()).toEqual(['digest', 'image.tar', 'labels.json', 'repository', 'tag']);
    expect(run('tar', ['-tf', join(dir, 'image.tar')]).split('\n')).toEqual(expect.arrayContaining(['manifest.json', 'index.json', 'oci-layout']));
    expect(JSON.parse(run('skopeo', ['inspect', '--raw', `oci-archive:${join(dir, 'image.tar')}`]))).toMatchObject({ config: { digest: layered.config.digest } });
    expect(JSON.parse(run('skopeo', ['inspect', '--config', `docker-archive:${join(dir, 'image.tar')}`]))).toMatchObject({ config: { User: 'app' } });
  });

  describe('a multi-platform index', () => {
    it('is versioned by the index digest, as Concourse does', async () => {
      expect(await type.check(context(), source('multi', { tag: 'v1' }))).toEqual([{ version: { tag: 'v1', digest: multiArch.digest } }]);
    });

    it('unpacks linux/amd64 by default and the platform asked for otherwise', async () => {
      const amd64 = dirs.make();
      await type.get(context(), source('multi'), { tag: 'v1', digest: multiArch.digest }, {}, amd64);
      expect(readFileSync(join(amd64, 'rootfs/arch'), 'utf8')).toBe('amd64');
      const arm64 = dirs.make();
      const result = await type.get(context(), source('multi', { platform: { architecture: 'arm64' } }), { tag: 'v1', digest: multiArch.digest }, {}, arm64);
      expect(readFileSync(join(arm64, 'rootfs/arch'), 'utf8')).toBe('arm64');
      expect(result.metadata).toContainEqual({ name: 'platform', value: 'linux/arm64' });
      const viaParams = dirs.make();
      await type.get(context(), source('multi'), { tag: 'v1', digest: multiArch.digest }, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, viaParams);
      expect(readFileSync(join(viaParams, 'rootfs/arch'), 'utf8')).toBe('arm64');
    });

    it('names the platforms it has when the one asked for is missing', async () => {
      await expect(type.get(context(), source('multi', { platform: { architecture: 's390x' } }), { tag: 'v1', digest: multiArch.digest }, {}, dirs.make())).rejects.toMatchObject({
        code: 'registry-image-platform-not-found',
        message: expect.stringContaining('linux/amd64, linux/arm64/v8'),
      });
    });
  });

  it('reads an image skopeo pushed with Docker media types', async () => {
    const layout = join(dirs.make(), 'layout');
    writeOciLayout(layout, layered);
    await skopeoCopy(`oci:${layout}:latest`, `docker://${registry.host}/docker-v2:v1`, { extra: ['--format', 'v2s2'] });
    const { Digest } = await skopeoInspect(`${registry.host}/docker-v2:v1`);
    expect(Digest).not.toBe(layered.digest);
    const dir = dirs.make();
    await type.get(context(), source('docker-v2'), { tag: 'v1', digest: Digest }, {}, dir);
    expect(readFileSync(join(dir, 'rootfs/etc/keep'), 'utf8')).toBe('keep\n');
  });

  it('refuses a blob whose content does not match its digest', async () => {
    const image = await buildImage({ layers: [[{ path: 'payload', file: 'original content' }]] });
    await pushWithType(type, source('corrupted', { tag: 'v1' }), image);
    // Same length, one byte flipped: only the digest can tell.
    corruptStoredBlob(image.layers[0]!.digest, (bytes) => bytes.length - 1);
    const dir = dirs.make();
    await expect(type.get(context(), source('corrupted'), { tag: 'v1', digest: image.digest }, {}, dir)).rejects.toMatchObject({ code: 'registry-image-digest-mismatch' });
    expect(readdirSync(dir).sort()).toEqual(['digest', 'repository', 'tag']);
  });

  it('reports a digest mismatch, and leaves no rootfs, when a corrupted layer breaks unpacking before its end', async () => {
    const image = await buildImage({ layers: [[{ path: 'etc/base', file: 'base' }], [{ path: 'data/random', file: randomBytes(8 << 20) }]] });
    await pushWithType(type, source('corrupted-early', { tag: 'v1' }), image);
    // The gzip header's flags: gunzip fails at the first chunk, long before the blob ends.
    corruptStoredBlob(image.layers[1]!.digest, () => 3);
    const dir = dirs.make();
    await expect(type.get(context(), source('corrupted-early'), { tag: 'v1', digest: image.digest }, {}, dir)).rejects.toMatchObject({
      code: 'registry-image-digest-mismatch',
      message: expect.stringContaining(image.layers[1]!.digest),
    });
    expect(readdirSync(dir).sort()).toEqual(['digest', 'repository', 'tag']);
  });

  it('refuses an image config larger than it reads, from the manifest, before downloading it', async () => {
    const image = await buildImage({ labels: { padding: 'x'.repeat(9 << 20) }, layers: [[{ path: 'payload', file: 'p' }]] });
    await pushWithType(type, source('big-config', { tag: 'v1' }), image);
    const proxy = await startProxy(registry.host);
    try {
      const get = type.get(context(), { repository: `${proxy.host}/big-config`, insecure: true }, { tag: 'v1', digest: image.digest }, {}, dirs.make());
      await expect(get).rejects.toMatchObject({ code: 'registry-image-config-too-large', hint: expect.any(String) });
      expect(proxy.requests.filter((request) => request.path.includes(image.config.digest))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('says so when the version was deleted', async () => {
    const gone = `sha256:${'0'.repeat(64)}`;
    await expect(type.get(context(), source('layered'), { tag: 'v0', digest: gone }, {}, dirs.make())).rejects.toMatchObject({ code: 'registry-image-version-gone', hint: expect.any(String) });
  });
});
