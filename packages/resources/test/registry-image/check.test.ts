import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, freshType, labelledImage, pushWithType, tempDirs } from './support/fixtures.js';
import { buildImage, writeOciLayout } from './support/images.js';
import { startRegistry, type RunningRegistry } from './support/registry.js';
import { skopeoCopy, skopeoDelete, skopeoInspect } from './support/skopeo.js';
import { requireTools } from './support/tools.js';

const available = requireTools(['docker-registry', 'skopeo']);

describe.skipIf(!available)('registry-image check against a real registry', () => {
  let registry: RunningRegistry;
  const type = freshType();
  const dirs = tempDirs();
  const source = (repository: string, extra: Record<string, unknown> = {}) => ({ repository: `${registry.host}/${repository}`, insecure: true, ...extra });

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    dirs.cleanup();
  });

  describe('tag mode', () => {
    it('reports the digest the tag points at, and nothing for a missing tag or repository', async () => {
      const digest = await pushWithType(type, source('tagged', { tag: 'stable' }), await labelledImage('tagged-1'));
      expect(await type.check(context(), source('tagged', { tag: 'stable' }))).toEqual([{ version: { tag: 'stable', digest } }]);
      expect(await type.check(context(), source('tagged', { tag: 'missing' }))).toEqual([]);
      expect(await type.check(context(), source('never-pushed', { tag: 'stable' }))).toEqual([]);
    });

    it('reports `from` first when the tag moved and the old digest still exists, and drops it once deleted', async () => {
      const tagged = source('moving', { tag: 'edge' });
      const first = await pushWithType(type, tagged, await labelledImage('moving-1'));
      expect(await type.check(context(), tagged, { tag: 'edge', digest: first })).toEqual([{ version: { tag: 'edge', digest: first } }]);
      const second = await pushWithType(type, tagged, await labelledImage('moving-2'));
      expect(await type.check(context(), tagged, { tag: 'edge', digest: first })).toEqual([{ version: { tag: 'edge', digest: first } }, { version: { tag: 'edge', digest: second } }]);
      await skopeoDelete(`${registry.host}/moving@${first}`);
      expect(await type.check(context(), tagged, { tag: 'edge', digest: first })).toEqual([{ version: { tag: 'edge', digest: second } }]);
    });

    it('resolves a Docker v2 manifest pushed by skopeo to the digest skopeo reports', async () => {
      const layout = join(dirs.make(), 'layout');
      writeOciLayout(layout, await buildImage({ layers: [[{ path: 'docker.txt', file: 'v2s2' }]] }));
      await skopeoCopy(`oci:${layout}:latest`, `docker://${registry.host}/docker-format:v1`, { extra: ['--format', 'v2s2'] });
      const { Digest } = await skopeoInspect(`${registry.host}/docker-format:v1`);
      expect(await type.check(context(), source('docker-format', { tag: 'v1' }))).toEqual([{ version: { tag: 'v1', digest: Digest } }]);
    });
  });

  describe('semver mode', () => {
    const digests: Record<string, string> = {};
    beforeAll(async () => {
      const images = { a: ['1.0.0'], b: ['1.1.0', '1.1', '1'], c: ['2.0.0-rc.1'], d: ['1.2.0-alpine'], e: ['latest'], f: ['nightly'], g: ['1.3.0-beta.1-alpine'] };
      for (const [name, tags] of Object.entries(images)) {
        const [first, ...rest] = tags as [string, ...string[]];
        digests[name] = await pushWithType(type, source('versions', { tag: first }), await labelledImage(`versions-${name}`), { also: rest });
      }
    });

    it('reports version tags once per digest, oldest first, with latest last when it is no alias', async () => {
      expect(await type.check(context(), source('versions'))).toEqual([
        { version: { tag: '1.0.0', digest: digests.a } },
        { version: { tag: '1.1.0', digest: digests.b } },
        { version: { tag: 'latest', digest: digests.e } },
      ]);
    });

    it('honours pre_releases, variant and semver_constraint', async () => {
      const tags = async (extra: Record<string, unknown>) => (await type.check(context(), source('versions', extra))).map((v) => v.version.tag);
      expect(await tags({ pre_releases: true })).toEqual(['1.0.0', '1.1.0', '2.0.0-rc.1', 'latest']);
      expect(await tags({ variant: 'alpine' })).toEqual(['1.2.0-alpine']);
      expect(await tags({ variant: 'alpine', pre_releases: true })).toEqual(['1.2.0-alpine', '1.3.0-beta.1-alpine']);
      // The alias `1` (of 1.1.0) reads as 1.0.0, which ~1.0 admits: Concourse reports it the same way.
      expect(await tags({ semver_constraint: '~1.0' })).toEqual(['1', '1.0.0']);
      expect(await tags({ semver_constraint: '2.x', pre_releases: true })).toEqual([]);
      expect(await tags({ semver_constraint: '>= 1.0, < 3', pre_releases: true })).toEqual(['1.0.0', '1.1.0']);
    });

    it('returns from `from` on', async () => {
      expect(await type.check(context(), source('versions'), { tag: '1.1.0', digest: digests.b as string })).toEqual([
        { version: { tag: '1.1.0', digest: digests.b } },
        { version: { tag: 'latest', digest: digests.e } },
      ]);
    });

    it('pages through the tag list with Link headers', async () => {
      const paged = freshType({ tagPageSize: 2 });
      expect(await paged.check(context(), source('versions', { pre_releases: true }))).toEqual(await type.check(context(), source('versions', { pre_releases: true })));
    });

    it('reports nothing for a repository that does not exist', async () => {
      expect(await type.check(context(), source('nothing-here'))).toEqual([]);
    });
  });

  describe('tag_regex mode', () => {
    it('reports matching tags in lexical order, from `from` on', async () => {
      const regexSource = source('builds', { tag_regex: '^build-[0-9]+$' });
      const one = await pushWithType(type, source('builds', { tag: 'build-1' }), await labelledImage('build-1'), { also: ['other'] });
      const two = await pushWithType(type, source('builds', { tag: 'build-2' }), await labelledImage('build-2'), { also: ['build-2-debug'] });
      expect(await type.check(context(), regexSource)).toEqual([{ version: { tag: 'build-1', digest: one } }, { version: { tag: 'build-2', digest: two } }]);
      expect(await type.check(context(), regexSource, { tag: 'build-2', digest: two })).toEqual([{ version: { tag: 'build-2', digest: two } }]);
    });
  });

  it('stops when the step is aborted', async () => {
    const controller = new AbortController();
    const checking = type.check(context({ signal: controller.signal }), source('versions'));
    controller.abort();
    await expect(checking).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('says what to do about a source it cannot use', async () => {
    await expect(type.check(context(), source('versions', { tag_regex: '(' }))).rejects.toMatchObject({ code: 'registry-image-invalid-tag-regex' });
    await expect(type.check(context(), { repository: `${registry.host}/app:latest`, insecure: true })).rejects.toMatchObject({ code: 'registry-image-invalid-repository' });
    await expect(type.check(context(), { repository: `${registry.host}/app`, tag: 'x' })).rejects.toMatchObject({ code: 'registry-image-tls-failed', hint: expect.stringContaining('insecure') });
    const closed = `127.0.0.1:1/app`;
    await expect(type.check(context(), { repository: closed, insecure: true, tag: 'x' })).rejects.toMatchObject({ code: 'registry-image-unreachable' });
  });
});
