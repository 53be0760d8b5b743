import { describe, expect, it } from 'vitest';
import type { PullSummary } from '../../src/github-pr/github-api.js';
import { filesPass, matchesPattern } from '../../src/github-pr/path-match.js';
import { approvalCount, asksToSkipCi, listingPasses } from '../../src/github-pr/pull-filter.js';

describe('matchesPattern', () => {
  it.each([
    ['src/app.ts', 'src', true],
    ['src/app.ts', 'src/', true],
    ['src/app.ts', './src', true],
    ['srcs/app.ts', 'src', false],
    ['src/app.ts', '*.ts', false],
    ['app.ts', '*.ts', true],
    ['src/deep/app.ts', 'src/*.ts', false],
    ['src/deep/app.ts', 'src/**/*.ts', true],
    ['src/app.ts', 'src/**/*.ts', true],
    ['src/deep/app.ts', 'src/**', true],
    ['docs/a.md', 'docs/?.md', true],
    ['docs/ab.md', 'docs/?.md', false],
    ['a+b.txt', 'a+b.txt', true],
    ['ci/pipeline.yml', 'ci/*', true],
  ])('%s against %s: %s', (file, pattern, expected) => {
    expect(matchesPattern(file, pattern)).toBe(expected);
  });
});

describe('filesPass', () => {
  it.each([
    { files: ['src/a.ts'], paths: [], ignore: [], expected: true },
    { files: [], paths: [], ignore: [], expected: true },
    { files: [], paths: ['src'], ignore: [], expected: false },
    { files: ['docs/a.md'], paths: ['src'], ignore: [], expected: false },
    { files: ['docs/a.md', 'src/a.ts'], paths: ['src'], ignore: [], expected: true },
    { files: ['docs/a.md'], paths: [], ignore: ['docs'], expected: false },
    { files: ['docs/a.md', 'README.md'], paths: [], ignore: ['docs'], expected: true },
    { files: ['src/a.ts'], paths: ['src'], ignore: ['src/**/*.ts'], expected: false },
    { files: ['src/a.ts', 'src/b.go'], paths: ['src'], ignore: ['**/*.ts'], expected: true },
  ])('$files with paths $paths and ignore_paths $ignore: $expected', ({ files, paths, ignore, expected }) => {
    expect(filesPass(files, paths, ignore)).toBe(expected);
  });
});

describe('listingPasses', () => {
  const pull: PullSummary = {
    number: 1, state: 'open', merged: false, draft: false, title: 't', author: 'a', url: 'u', labels: ['bug'],
    headSha: 'h', headRef: 'feature', headRepo: 'acme/app', baseRef: 'main', baseSha: 'b', baseRepo: 'acme/app', cloneUrl: 'c',
  };
  const none = { baseBranch: undefined, labels: [], disableForks: false, ignoreDrafts: false };
  it.each([
    { name: 'no filters', change: {}, settings: {}, expected: true },
    { name: 'another base', change: {}, settings: { baseBranch: 'release' }, expected: false },
    { name: 'one of the labels', change: {}, settings: { labels: ['feature', 'bug'] }, expected: true },
    { name: 'none of the labels', change: {}, settings: { labels: ['ok-to-test'] }, expected: false },
    { name: 'a fork, forks disabled', change: { headRepo: 'stranger/app' }, settings: { disableForks: true }, expected: false },
    { name: 'a deleted fork, forks disabled', change: { headRepo: null }, settings: { disableForks: true }, expected: false },
    { name: 'a fork, forks allowed', change: { headRepo: 'stranger/app' }, settings: {}, expected: true },
    { name: 'a draft, drafts ignored', change: { draft: true }, settings: { ignoreDrafts: true }, expected: false },
  ])('$name: $expected', ({ change, settings, expected }) => {
    expect(listingPasses({ ...pull, ...change }, { ...none, ...settings })).toBe(expected);
  });
});

describe('approvalCount and asksToSkipCi', () => {
  it('counts each reviewer\'s latest deciding review', () => {
    expect(approvalCount([
      { user: 'a', state: 'APPROVED' },
      { user: 'a', state: 'COMMENTED' },
      { user: 'b', state: 'APPROVED' },
      { user: 'b', state: 'CHANGES_REQUESTED' },
      { user: 'c', state: 'CHANGES_REQUESTED' },
      { user: 'c', state: 'APPROVED' },
      { user: 'd', state: 'APPROVED' },
      { user: 'd', state: 'DISMISSED' },
    ])).toBe(2);
  });

  it.each([
    ['fix typo [ci skip]', true],
    ['[SKIP CI] docs', true],
    ['body\n\n[no ci]', true],
    ['ci skip without brackets', false],
  ])('%j: %s', (message, expected) => {
    expect(asksToSkipCi(message)).toBe(expected);
  });
});
