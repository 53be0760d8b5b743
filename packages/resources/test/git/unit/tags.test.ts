import { describe, expect, it } from 'vitest';
import { ResourceError } from '../../../src/interface.js';
import { newestPassingTags, parseTagList, tagRegexMatcher, tagsSince, type TagRef } from '../../../src/git/tags.js';

describe('parseTagList', () => {
  it('peels annotated tags and leaves out tags of trees and blobs', () => {
    const output = ['v1\0commit\0c1\0\0', 'v2\0tag\0t2\0commit\0c2', 'tree-tag\0tree\0x\0\0', 'blob-tag\0tag\0t3\0blob\0b3', ''].join('\n');
    expect(parseTagList(output)).toEqual([
      { name: 'v1', commit: 'c1' },
      { name: 'v2', commit: 'c2' },
    ]);
  });
});

describe('tagRegexMatcher', () => {
  it.each<[string, string, boolean]>([
    ['v[0-9]+\\.[0-9]+', 'v1.20', true],
    ['v[0-9]+\\.[0-9]+', 'v1.20-rc1', false],
    ['v[0-9]+\\.[0-9]+', 'xv1.2', false],
    ['v[[:digit:]]+(-[[:alpha:]]+)?', 'v12-beta', true],
    ['v[[:digit:]]+(-[[:alpha:]]+)?', 'v12-beta2', false],
    ['release|stable', 'stable', true],
    ['release|stable', 'stable-1', false],
    ['[[:upper:]][[:xdigit:]]*', 'Fa0', true],
  ])('%s matches %s: %s', (regex, name, matches) => {
    expect(tagRegexMatcher(regex)(name)).toBe(matches);
  });

  it('rejects an invalid regex with a ResourceError naming it', () => {
    expect(() => tagRegexMatcher('v(')).toThrow(ResourceError);
    expect(() => tagRegexMatcher('v(')).toThrow(/tag_regex "v\(" is not a valid regular expression/);
  });
});

const tags: TagRef[] = [
  { name: 'v1', commit: 'a' },
  { name: 'v2', commit: 'b' },
  { name: 'v2-again', commit: 'b' },
  { name: 'v3', commit: 'c' },
];

describe('tagsSince', () => {
  it.each<[string, string | undefined]>([
    ['v2', 'v2,v2-again,v3'],
    ['v3', 'v3'],
    ['v', undefined],
    ['gone', undefined],
  ])('from %s: %s', (from, expected) => {
    expect(tagsSince(tags, from)?.map((tag) => tag.name).join(',')).toBe(expected);
  });
});

describe('newestPassingTags', () => {
  it.each<[string[], number, string]>([
    [['a', 'b', 'c'], 1, 'v3'],
    [['a', 'b', 'c'], 2, 'v2-again,v3'],
    [['a', 'c'], 5, 'v1,v3'],
    [[], 5, ''],
  ])('passing %j, depth %d: %s', (passing, depth, expected) => {
    expect(newestPassingTags(tags, new Set(passing), depth).map((tag) => tag.name).join(',')).toBe(expected);
  });
});
