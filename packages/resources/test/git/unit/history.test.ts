import { describe, expect, it } from 'vitest';
import { revListPasses } from '../../../src/git/history.js';
import type { HistoryFilters } from '../../../src/git/source.js';

const none: HistoryFilters = { paths: [], ignorePaths: [], include: [], includeAllMatch: false, exclude: [], excludeAllMatch: false, skipCiSkip: false };
const ciSkip = ['--invert-grep', '--grep=\\[ci\\sskip\\]', '--grep=\\[skip\\sci\\]'];

describe('revListPasses', () => {
  it.each<[string, Parameters<typeof revListPasses>, string[][]]>([
    ['the newest commit of a branch', [{ tip: 'refs/heads/main' }, none, 1], [['rev-list', '--first-parent', '--max-count=1', 'refs/heads/main']]],
    ['every commit from a version on, kept', [{ tip: 'refs/heads/main', since: 'abc' }, none], [['rev-list', '--first-parent', 'refs/heads/main', '--not', 'abc^@']]],
    ['[ci skip] folded into the walk', [{ tip: 'T' }, { ...none, skipCiSkip: true }, 2], [['rev-list', '--first-parent', ...ciSkip, '--max-count=2', 'T']]],
    ['paths and ignored paths as pathspecs', [{ tip: 'T' }, { ...none, paths: ['src', '*.md'], ignorePaths: ['docs'] }], [['rev-list', '--first-parent', 'T', '--', 'src', '*.md', ':(exclude)docs']]],
    ['ignored paths alone exclude from the whole tree', [{ tip: 'T' }, { ...none, ignorePaths: ['docs'] }], [['rev-list', '--first-parent', 'T', '--', '.', ':(exclude)docs']]],
    [
      'one pass per message filter, the limit on the last',
      [{ tip: 'T' }, { ...none, include: ['feat', 'fix'], includeAllMatch: true, exclude: ['wip'], skipCiSkip: true }, 3],
      [
        ['rev-list', '--first-parent', '--grep=feat', '--grep=fix', '--all-match', 'T'],
        ['rev-list', '--stdin', '--no-walk=unsorted', '--invert-grep', '--grep=wip'],
        ['rev-list', '--stdin', '--no-walk=unsorted', ...ciSkip, '--max-count=3'],
      ],
    ],
    [
      'given commits (of tags) are tested one by one, paths included',
      [{ commits: ['a', 'b'] }, { ...none, paths: ['src'], exclude: ['x'], excludeAllMatch: true }],
      [['rev-list', '--stdin', '--no-walk=unsorted', '--invert-grep', '--grep=x', '--all-match', '--', 'src']],
    ],
  ])('%s', (_, args, expected) => {
    expect(revListPasses(...args)).toEqual(expected);
  });
});
