import { describe, expect, it } from 'vitest';
import {
  compileTagRegex,
  fromOnward,
  parseLooseSemver,
  parseSemverConstraint,
  parseSemverTag,
  regexCandidates,
  semverCandidates,
  semverVersions,
  type SemverRules,
} from '../../src/registry-image/tag-selection.js';

const plain: SemverRules = { preReleases: false };
const withPre: SemverRules = { preReleases: true };

describe('parseSemverTag', () => {
  it.each([
    ['1.2.3', plain, '1.2.3', 2],
    ['v1.2.3', plain, '1.2.3', 2],
    ['1.2', plain, '1.2.0', 1],
    ['1', plain, '1.0.0', 0],
    ['1.2.3+build.5', plain, '1.2.3', 3],
    ['1.2.3-rc.1', plain, undefined, 0],
    ['1.2.3-rc.1', withPre, '1.2.3-rc.1', 3],
    ['1.2.3-beta2', withPre, '1.2.3-beta2', 2],
    ['1.2.3-alpine', withPre, undefined, 0],
    ['1.2.3-rc.1-alpine', withPre, undefined, 0],
    ['1.2.3-alpine', { preReleases: false, variant: 'alpine' }, '1.2.3', 2],
    ['1.2.3-rc.1-alpine', { preReleases: true, variant: 'alpine' }, '1.2.3-rc.1', 3],
    ['1.2.3-php7.3-alpine', { preReleases: false, variant: 'alpine' }, undefined, 0],
    ['1.2.3', { preReleases: false, variant: 'alpine' }, undefined, 0],
    ['latest', plain, undefined, 0],
    ['1.2.3.4', plain, undefined, 0],
    ['01.2.3', plain, '1.2.3', 2],
    ['sha-1234', plain, undefined, 0],
  ])('%s with %j → %s', (tag, rules, version, specificity) => {
    const parsed = parseSemverTag(tag, rules);
    expect(parsed?.version.version).toBe(version);
    if (parsed) expect(parsed.specificity).toBe(specificity);
  });

  it.each([
    ['~1.2', '1.2.9', true],
    ['~1.2', '1.3.0', false],
    ['>= 1.2 < 3.0.0 || >= 4.2.3', '2.5.0', true],
    ['>= 1.2 < 3.0.0 || >= 4.2.3', '3.1.0', false],
    ['>= 1.2, < 3.0.0', '2.0.0', true],
    ['>= 1.2, < 3.0.0', '3.0.0', false],
    ['1.x', '1.9.0', true],
    ['^2', '3.0.0', false],
  ])('constraint %s admits %s: %s', (constraint, version, admitted) => {
    expect(parseSemverTag(version, { preReleases: false, constraint: parseSemverConstraint(constraint) }) !== undefined).toBe(admitted);
  });

  it('rejects a constraint that is not a range, with a hint', () => {
    expect(() => parseSemverConstraint('newest please')).toThrow(expect.objectContaining({ code: 'registry-image-invalid-semver-constraint', hint: expect.any(String) }));
  });

  it('reads put versions loosely and normalizes them as Concourse does', () => {
    expect(parseLooseSemver('v1.2')?.version).toBe('1.2.0');
    expect(parseLooseSemver('2.0.0-rc.1+abc')?.version).toBe('2.0.0-rc.1');
    expect(parseLooseSemver('one')).toBeUndefined();
  });
});

describe('semver mode', () => {
  const tags = ['latest', '1.0.0', '1.1.0', '1.1', '1', '2.0.0-rc.1', '1.2.0-alpine', 'nightly'];

  it('fetches digests only for version tags, and only from `from` on', () => {
    expect(semverCandidates(tags, plain).map((c) => c.tag)).toEqual(['1.0.0', '1.1.0', '1.1', '1']);
    expect(semverCandidates(tags, plain, { tag: '1.1.0', digest: 'd' }).map((c) => c.tag)).toEqual(['1.1.0', '1.1']);
    // A pre-release `from` still sets the floor when pre-releases are off now.
    expect(semverCandidates(tags, plain, { tag: '1.0.5-rc.1', digest: 'd' }).map((c) => c.tag)).toEqual(['1.1.0', '1.1']);
  });

  it('reports one version per digest under its most specific tag, oldest first, then a bare tag that is no alias', () => {
    const found = [
      { tag: '1', digest: 'b' },
      { tag: '1.1', digest: 'b' },
      { tag: '1.1.0', digest: 'b' },
      { tag: '2.0.0', digest: 'c' },
      { tag: '2.0.0-rc.1', digest: 'c' },
      { tag: '1.0.0', digest: 'a' },
    ].map(({ tag, digest }) => ({ ...(parseSemverTag(tag, withPre) as NonNullable<ReturnType<typeof parseSemverTag>>), digest }));
    expect(semverVersions(found, { tag: 'latest', digest: 'z' })).toEqual([
      { tag: '1.0.0', digest: 'a' },
      { tag: '1.1.0', digest: 'b' },
      { tag: '2.0.0', digest: 'c' },
      { tag: 'latest', digest: 'z' },
    ]);
    expect(semverVersions(found, { tag: 'latest', digest: 'c' }).at(-1)).toEqual({ tag: '2.0.0', digest: 'c' });
  });

  it('names a digest the same whatever order the registry lists its tags in', () => {
    const list = (tags: string[]) => tags.map((tag) => ({ ...(parseSemverTag(tag, plain) as NonNullable<ReturnType<typeof parseSemverTag>>), digest: 'x' }));
    expect(semverVersions(list(['1.2.3', '1.2.4']))).toEqual(semverVersions(list(['1.2.4', '1.2.3'])));
    expect(semverVersions(list(['1.2.3', '1.2.4']))).toEqual([{ tag: '1.2.4', digest: 'x' }]);
  });
});

describe('regex mode and from', () => {
  it('orders lexically (as the spec says lists come) and starts at `from` when it is listed', () => {
    const regex = compileTagRegex('^build-');
    expect(regexCandidates(['build-b', 'x', 'Build-c', 'build-a'], compileTagRegex('^[Bb]uild-'))).toEqual(['build-a', 'build-b', 'Build-c']);
    expect(regexCandidates(['build-3', 'x', 'build-1', 'build-2'], regex, { tag: 'build-2', digest: 'd' })).toEqual(['build-2', 'build-3']);
    expect(regexCandidates(['build-1', 'build-2'], regex, { tag: 'gone', digest: 'd' })).toEqual(['build-1', 'build-2']);
  });

  it('matches anywhere unless anchored, like Go', () => {
    expect(regexCandidates(['a-main-1', 'main'], compileTagRegex('main'))).toEqual(['a-main-1', 'main']);
  });

  it('rejects an invalid regex with a hint', () => {
    expect(() => compileTagRegex('(')).toThrow(expect.objectContaining({ code: 'registry-image-invalid-tag-regex', hint: expect.any(String) }));
  });

  it.each([
    ['from present', { tag: 'b', digest: '2' }, ['b', 'c']],
    ['from moved to another digest', { tag: 'b', digest: 'old' }, ['a', 'b', 'c']],
    ['no from', undefined, ['a', 'b', 'c']],
  ])('fromOnward: %s', (_name, from, expected) => {
    const versions = [
      { tag: 'a', digest: '1' },
      { tag: 'b', digest: '2' },
      { tag: 'c', digest: '3' },
    ];
    expect(fromOnward(versions, from).map((version) => version.tag)).toEqual(expected);
  });
});
