import { describe, expect, it } from 'vitest';
import { branchSlug } from '../../src/git-branches/branch-slug.js';
import { branchSetDigest, describeChange, matchingHeads, parseHeads } from '../../src/git-branches/branch-set.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseHeads', () => {
  it('keeps branches git would take, and sets aside anything else a server lists', () => {
    const output = [
      `${A}\trefs/heads/feature/a`,
      `${B}\trefs/heads/feature/$(id)`,
      `${A}\trefs/heads/feature/../../etc`,
      `${A}\trefs/heads/-upload-pack=touch`,
      `${A}\trefs/heads/feature/a b`,
      `${A}\trefs/heads/feature/.hidden`,
      `${A}\trefs/heads/feature/x.lock`,
      `${A}\trefs/heads/feature//double`,
      `${A}\trefs/heads/feature/@{-1}`,
      `${A}\trefs/heads/feature/tab\there`,
      `${A}\trefs/heads/feature/((github_token))`,
      'garbage',
      '',
    ].join('\n');
    const { heads, refused } = parseHeads(output);
    expect(heads).toEqual([
      { name: 'feature/a', commit: A },
      { name: 'feature/$(id)', commit: B },
    ]);
    expect(refused).toHaveLength(10);
    expect(refused).toContain('feature/((github_token))');
  });
});

describe('the set of heads', () => {
  it('is sorted by name, and its digest changes with any name or head', () => {
    const heads = matchingHeads(
      [
        { name: 'feature/b', commit: B },
        { name: 'main', commit: A },
        { name: 'feature/a', commit: A },
      ],
      (name) => name.startsWith('feature/'),
    );
    expect(heads.map((head) => head.name)).toEqual(['feature/a', 'feature/b']);
    const digest = branchSetDigest(heads);
    expect(branchSetDigest([...heads])).toBe(digest);
    expect(branchSetDigest([heads[0]!, { name: 'feature/b', commit: A }])).not.toBe(digest);
    expect(branchSetDigest([heads[0]!])).not.toBe(digest);
  });

  it('describes what changed', () => {
    const before = [
      { name: 'feature/a', commit: A },
      { name: 'feature/b', commit: A },
    ];
    expect(describeChange(undefined, before)).toBe('first check');
    expect(describeChange(before, before)).toBe('unchanged');
    expect(
      describeChange(before, [
        { name: 'feature/a', commit: B },
        { name: 'feature/c', commit: A },
      ]),
    ).toBe('new: feature/c; pushed: feature/a; gone: feature/b');
  });
});

describe('branchSlug', () => {
  it('fits tags, paths and host names, and tells apart names that read alike', () => {
    const slugs = ['feature/Login', 'feature-login', 'feature/$(touch${IFS}pwned)', 'feature/..x', `feature/${'long-'.repeat(30)}`, '日本'].map(branchSlug);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,47}[a-z0-9])?$/);
    expect(slugs[0]).toMatch(/^feature-login-[0-9a-f]{8}$/);
    expect(slugs[1]).toMatch(/^feature-login-[0-9a-f]{8}$/);
    expect(slugs[0]).not.toBe(slugs[1]);
    expect(slugs[2]).toMatch(/^feature-touch-ifs-pwned-[0-9a-f]{8}$/);
    expect(slugs[5]).toMatch(/^[0-9a-f]{8}$/);
  });
});
