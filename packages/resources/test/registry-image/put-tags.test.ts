import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { aliasesToBump } from '../../src/registry-image/aliases.js';
import { parseAdditionalTags, tagsToPush } from '../../src/registry-image/put-tags.js';

describe('aliasesToBump', () => {
  const existing = ['latest', '1.0.0', '1.1.0', '1.1', '1', '2.0.0', '2.1.0-rc.1', '2.0.0-alpine', 'nightly'];
  it.each([
    ['the newest of everything', '2.0.1', undefined, ['latest', '2', '2.0']],
    ['the newest of 1.x and 1.1.x but not overall', '1.1.1', undefined, ['1', '1.1']],
    ['an old patch', '1.0.1', undefined, ['1.0']],
    ['a new minor of 1.x', '1.2.0', undefined, ['1', '1.2']],
    ['an existing version (ties move aliases)', '2.0.0', undefined, ['latest', '2', '2.0']],
    ['a variant compares with its variant only', '1.5.0', 'alpine', ['1-alpine', '1.5-alpine']],
    ['the newest variant', '2.0.1', 'alpine', ['alpine', '2-alpine', '2.0-alpine']],
  ])('%s: %s', (_name, version, variant, expected) => {
    expect(aliasesToBump(existing, new semver.SemVer(version), variant)).toEqual(expected);
  });

  it('bumps everything in an empty repository', () => {
    expect(aliasesToBump([], new semver.SemVer('0.1.0'))).toEqual(['latest', '0', '0.1']);
  });
});

describe('tagsToPush', () => {
  it('orders source tag, version, aliases, additional; without duplicates', () => {
    expect(tagsToPush({ sourceTag: 'edge', versionTag: '1.2.3', aliases: ['1.2', 'edge'], additional: ['sha-abc'] })).toEqual(['edge', '1.2.3', '1.2', 'sha-abc']);
  });

  it('pushes latest when nothing names a tag', () => {
    expect(tagsToPush({ aliases: [], additional: [] })).toEqual(['latest']);
  });

  it('reads additional tags split on any whitespace and checks them', () => {
    expect(parseAdditionalTags(' a b\n\tc\n', 'tags')).toEqual(['a', 'b', 'c']);
    expect(() => parseAdditionalTags('good bad/tag', 'out/tags')).toThrow(expect.objectContaining({ code: 'registry-image-invalid-tag', message: expect.stringContaining('out/tags') }));
  });
});
