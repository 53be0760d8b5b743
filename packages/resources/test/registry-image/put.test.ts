import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, freshType, labelledImage, pushWithType, tempDirs } from './support/fixtures.js';
import { buildImage, buildIndex, writeDockerArchive, writeOciLayout, writeOciTarball, type BuiltImage } from './support/images.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { skopeoCopy, skopeoInspect, skopeoInspectRaw } from './support/skopeo.js';
import { requireTools } from './support/tools.js';

const available = requireTools(['docker-registry', 'skopeo']);

describe.skipIf(!available)('registry-image put against a real registry', () => {
  let registry: RunningRegistry;
  const type = freshType();
  const dirs = tempDirs();
  const source = (repository: string, extra: Record<string, unknown> = {}) => ({ repository: `${registry.host}/${repository}`, insecure: true, ...extra });
  let image: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry();
    image = await buildImage({
      layers: [[{ path: 'etc/app.conf', file: 'answer=42\n' }], [{ path: 'bin/app', file: '#!/bin/sh\necho hi\n', mode: 0o755 }]],
      labels: { purpose: 'put tests' },
    });
  });
  afterAll(async () => {
    await registry?.stop();
    dirs.cleanup();
  });

  /** A work dir with the image as an OCI layout in `image/`. */
  const workWithLayout = (built: BuiltImage = image): string => {
    const work = dirs.make();
    writeOciLayout(join(work, 'image'), built);
    return work;
  };

  /** skopeo copies the pushed image out, which verifies every blob it pulls. */
  const verifiedBySkopeo = async (reference: string): Promise<boolean> => {
    await skopeoCopy(`docker://${reference}`, `oci:${join(dirs.make(), 'copy')}:x`);
    return true;
  };

  describe('pushing', () => {
    it('pushes an OCI layout directory; skopeo sees the same digest and layers', async () => {
      const ctx = context();
      const result = await type.put(ctx, source('layout', { tag: 'v1' }), { image: 'image' }, workWithLayout());
      expect(result).toEqual({
        version: { tag: 'v1', digest: image.digest },
        metadata: [
          { name: 'repository', value: `${registry.host}/layout` },
          { name: 'tags', value: 'v1' },
        ],
      });
      const inspected = await skopeoInspect(`${registry.host}/layout:v1`);
      expect(inspected.Digest).toBe(image.digest);
      expect(inspected.Layers).toEqual(image.layers.map((layer) => layer.digest));
      expect(await verifiedBySkopeo(`${registry.host}/layout:v1`)).toBe(true);
      expect(ctx.lines[0]).toMatch(/^uploaded 3 blobs .*, 0 already in layout$/);
    });

    it('skips blobs the repository already has', async () => {
      const ctx = context();
      await type.put(ctx, source('layout', { tag: 'v1-again' }), { image: 'image' }, workWithLayout());
      expect(ctx.lines[0]).toBe('uploaded 0 blobs (0 B), 3 already in layout');
    });

    it('pushes an OCI tarball found by a glob', async () => {
      const work = dirs.make();
      mkdirSync(join(work, 'build'));
      await writeOciTarball(join(work, 'build/image.tar'), image);
      const result = await type.put(context(), source('tarball', { tag: 'v1' }), { image: 'build/*.tar' }, work);
      expect(result.version.digest).toBe(image.digest);
      expect((await skopeoInspect(`${registry.host}/tarball:v1`)).Digest).toBe(image.digest);
    });

    it('pushes docker save output as a Docker v2 image with gzipped layers', async () => {
      const work = dirs.make();
      await writeDockerArchive(join(work, 'image.tar'), image, 'example/app:v1');
      const result = await type.put(context(), source('docker-archive', { tag: 'v1' }), { image: 'image.tar' }, work);
      const raw = await skopeoInspectRaw(`${registry.host}/docker-archive:v1`);
      expect(raw).toMatchObject({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: image.config.digest } });
      expect((raw.layers as Array<{ mediaType: string }>).map((layer) => layer.mediaType)).toEqual(Array(2).fill('application/vnd.docker.image.rootfs.diff.tar.gzip'));
      expect((await skopeoInspect(`${registry.host}/docker-archive:v1`)).Digest).toBe(result.version.digest);
      const fetched = dirs.make();
      await type.get(context(), source('docker-archive'), result.version, {}, fetched);
      expect(readFileSync(join(fetched, 'rootfs/etc/app.conf'), 'utf8')).toBe('answer=42\n');
    });

    it('uploads a blob larger than the chunk size in chunks', async () => {
      const big = await buildImage({ layers: [[{ path: 'random.bin', file: randomBytes(300_000).toString('base64') }]] });
      const chunked = freshType({ uploadChunkBytes: 64 * 1024 });
      const result = await chunked.put(context(), source('chunked', { tag: 'v1' }), { image: 'image' }, workWithLayout(big));
      expect(result.version.digest).toBe(big.digest);
      expect(await verifiedBySkopeo(`${registry.host}/chunked:v1`)).toBe(true);
    });

    it('pushes a multi-platform index with its manifests before the tag', async () => {
      const arm = await buildImage({ layers: [[{ path: 'arch', file: 'arm64' }]], platform: { os: 'linux', architecture: 'arm64' } });
      const index = buildIndex([image, arm]);
      const digest = await pushWithType(type, source('index', { tag: 'v1' }), index);
      expect(digest).toBe(index.digest);
      expect(await skopeoInspectRaw(`${registry.host}/index:v1`)).toMatchObject({ mediaType: 'application/vnd.oci.image.index.v1+json' });
      await skopeoCopy(`docker://${registry.host}/index:v1`, `oci:${join(dirs.make(), 'all')}:x`, { extra: ['--all'] });
    });
  });

  describe('tags', () => {
    it('pushes the source tag, the version with the variant, its aliases and the additional tags', async () => {
      await pushWithType(type, source('tags', { tag: '1.2.4-slim' }), await labelledImage('newer'));
      const work = workWithLayout();
      writeFileSync(join(work, 'more-tags'), 'sha-abc123\nbuild-7\n');
      const result = await type.put(context(), source('tags', { tag: 'edge', variant: 'slim' }), { image: 'image', version: 'v1.3.0', bump_aliases: true, additional_tags: 'more-tags' }, work);
      expect(result.version).toEqual({ tag: 'edge', digest: image.digest });
      expect(result.metadata).toContainEqual({ name: 'tags', value: 'edge 1.3.0-slim slim 1-slim 1.3-slim sha-abc123 build-7' });
      for (const tag of ['edge', '1.3.0-slim', 'slim', '1-slim', '1.3-slim', 'sha-abc123', 'build-7']) {
        expect((await skopeoInspect(`${registry.host}/tags:${tag}`)).Digest).toBe(image.digest);
      }
    });

    it('moves only the aliases this version is the newest of', async () => {
      await pushWithType(type, source('aliases', { tag: '2.0.0' }), await labelledImage('two'));
      const result = await type.put(context(), source('aliases'), { image: 'image', version: '1.4.0', bump_aliases: true }, workWithLayout());
      expect(result.metadata).toContainEqual({ name: 'tags', value: '1.4.0 1 1.4' });
    });

    it('pushes latest when nothing names a tag', async () => {
      const result = await type.put(context(), source('default-tag'), { image: 'image' }, workWithLayout());
      expect(result.version).toEqual({ tag: 'latest', digest: image.digest });
    });
  });

  describe('promotion', () => {
    /** A get with skip_download of `tag`, as a pipeline's `get` step before a promoting put. */
    const fetchedVersion = async (work: string, name: string, repository: string, tag: string): Promise<string> => {
      const [version] = await type.check(context(), source(repository, { tag }));
      await type.get(context(), source(repository), version!.version, { skip_download: true }, join(work, name));
      return version!.version.digest;
    };

    it('re-tags a digest in the same repository without uploading anything', async () => {
      await pushWithType(type, source('app', { tag: 'rc' }), image);
      const work = dirs.make();
      const digest = await fetchedVersion(work, 'candidate', 'app', 'rc');
      const ctx = context();
      const result = await type.put(ctx, source('app', { tag: 'production' }), { promote: 'candidate' }, work);
      expect(result.version).toEqual({ tag: 'production', digest });
      expect((await skopeoInspect(`${registry.host}/app:production`)).Digest).toBe(digest);
      expect(ctx.lines).toEqual([`promoted app@${digest} to app as production`]);
    });

    it('promotes from another repository of the registry by mounting blobs and re-putting the exact manifest', async () => {
      const arm = await buildImage({ layers: [[{ path: 'arch', file: 'arm64-promoted' }]], platform: { os: 'linux', architecture: 'arm64' } });
      const index = buildIndex([image, arm]);
      await pushWithType(type, source('candidates', { tag: 'build-9' }), index);
      const work = dirs.make();
      await fetchedVersion(work, 'tested', 'candidates', 'build-9');
      const ctx = context();
      const result = await type.put(ctx, source('releases'), { promote: 'tested', version: '1.0.0' }, work);
      expect(result.version).toEqual({ tag: '1.0.0', digest: index.digest });
      expect(ctx.lines[0]).toBe('mounted 5 blobs from candidates');
      expect(await skopeoInspectRaw(`${registry.host}/releases:1.0.0`)).toEqual(JSON.parse(index.manifest.toString()));
      await skopeoCopy(`docker://${registry.host}/releases:1.0.0`, `oci:${join(dirs.make(), 'all')}:x`, { extra: ['--all'] });
    });

    it('refuses to promote across registries, and says how to copy instead', async () => {
      const work = dirs.make();
      mkdirSync(join(work, 'elsewhere'));
      writeFileSync(join(work, 'elsewhere/repository'), 'ghcr.io/owner/app');
      writeFileSync(join(work, 'elsewhere/digest'), image.digest);
      await expect(type.put(context(), source('app', { tag: 'x' }), { promote: 'elsewhere' }, work)).rejects.toMatchObject({
        code: 'registry-image-promote-other-registry',
        hint: expect.stringContaining('oci-layout'),
      });
    });
  });

  describe('mistakes', () => {
    it.each([
      ['neither image nor promote', {}, 'registry-image-put-needs-one-image'],
      ['both image and promote', { image: 'image', promote: 'x' }, 'registry-image-put-needs-one-image'],
      ['a glob matching nothing', { image: 'missing/*.tar' }, 'registry-image-image-not-found'],
      ['a version that is not semver', { image: 'image', version: 'release-1' }, 'registry-image-invalid-version'],
      ['a missing additional_tags file', { image: 'image', additional_tags: 'nope' }, 'registry-image-additional-tags-unreadable'],
      ['a promote dir that is no get', { promote: 'image' }, 'registry-image-promote-invalid'],
    ])('%s', async (_name, params, code) => {
      await expect(type.put(context(), source('mistakes', { tag: 'x' }), params, workWithLayout())).rejects.toMatchObject({ code, hint: expect.any(String) });
    });

    it('refuses an additional_tags file or an image that a task made a symlink out of its artifact', async () => {
      const work = workWithLayout();
      const outside = dirs.make();
      writeFileSync(join(outside, 'token'), 'engine-api-token');
      writeOciLayout(join(outside, 'other-build-image'), image);
      mkdirSync(join(work, 'tags'));
      symlinkSync(join(outside, 'token'), join(work, 'tags', 'list'));
      symlinkSync(join(outside, 'other-build-image'), join(work, 'tags', 'image'));
      await expect(type.put(context(), source('mistakes', { tag: 'x' }), { image: 'image', additional_tags: 'tags/list' }, work)).rejects.toMatchObject({ code: 'registry-image-path-outside' });
      await expect(type.put(context(), source('mistakes', { tag: 'x' }), { image: 'tags/image' }, work)).rejects.toMatchObject({ code: 'registry-image-path-outside' });
    });

    it('refuses a glob matching two images', async () => {
      const work = workWithLayout();
      writeOciLayout(join(work, 'image2'), image);
      await expect(type.put(context(), source('mistakes', { tag: 'x' }), { image: 'image*' }, work)).rejects.toMatchObject({ code: 'registry-image-image-ambiguous' });
    });

    it('refuses a layout listing two images', async () => {
      const work = workWithLayout();
      const index = JSON.parse(readFileSync(join(work, 'image/index.json'), 'utf8'));
      index.manifests.push(index.manifests[0]);
      writeFileSync(join(work, 'image/index.json'), JSON.stringify(index));
      await expect(type.put(context(), source('mistakes', { tag: 'x' }), { image: 'image' }, work)).rejects.toMatchObject({ code: 'registry-image-ambiguous-layout' });
    });

    it('refuses a file that is not an image', async () => {
      const work = dirs.make();
      writeFileSync(join(work, 'image.tar'), 'not a tarball');
      await expect(type.put(context(), source('mistakes', { tag: 'x' }), { image: 'image.tar' }, work)).rejects.toMatchObject({ code: 'registry-image-invalid-image' });
    });
  });
});
