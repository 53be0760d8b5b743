import { describe, expect, it } from 'vitest';
import { parseManifest, selectPlatform, type ImageIndex } from '../../src/registry-image/manifest.js';

const digest = (char: string): string => `sha256:${char.repeat(64)}`;
const entry = (char: string, platform: { os: string; architecture: string; variant?: string }) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(char), size: 1, platform });

describe('selectPlatform', () => {
  const index: ImageIndex = {
    kind: 'index',
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      entry('a', { os: 'linux', architecture: 'amd64' }),
      entry('b', { os: 'linux', architecture: 'arm', variant: 'v6' }),
      entry('c', { os: 'linux', architecture: 'arm', variant: 'v7' }),
      entry('d', { os: 'unknown', architecture: 'unknown' }),
    ],
  };
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'a'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'c'],
    [{ os: 'linux', architecture: 'arm' }, 'b'],
    [{ os: 'linux', architecture: 'arm64' }, undefined],
    [{ os: 'windows', architecture: 'amd64' }, undefined],
  ])('%j → %s', (platform, expected) => {
    expect(selectPlatform(index, platform)?.digest).toBe(expected === undefined ? undefined : digest(expected));
  });
});

describe('parseManifest', () => {
  it('takes the media type from the document, the Content-Type, or the shape', () => {
    const image = { schemaVersion: 2, config: { digest: digest('c'), size: 2 }, layers: [] };
    expect(parseManifest(Buffer.from(JSON.stringify({ ...image, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })), undefined, 'm').mediaType).toBe(
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    expect(parseManifest(Buffer.from(JSON.stringify(image)), 'application/vnd.docker.distribution.manifest.v2+json; charset=utf-8', 'm').mediaType).toBe(
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    expect(parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })), 'application/json', 'm')).toMatchObject({ kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json' });
  });

  it.each([
    ['schema 1', { schemaVersion: 1, fsLayers: [] }, 'registry-image-schema1-unsupported'],
    ['a bad digest', { schemaVersion: 2, config: { digest: 'sha256:xyz', size: 1 }, layers: [] }, 'registry-image-invalid-manifest'],
    ['a negative size', { schemaVersion: 2, config: { digest: digest('a'), size: -1 }, layers: [] }, 'registry-image-invalid-manifest'],
    ['no layers', { schemaVersion: 2, config: { digest: digest('a'), size: 1 } }, 'registry-image-invalid-manifest'],
  ])('refuses %s', (_name, document, code) => {
    expect(() => parseManifest(Buffer.from(JSON.stringify(document)), undefined, 'the manifest x')).toThrow(expect.objectContaining({ code }));
  });
});
