import { describe, expect, it } from 'vitest';
import { commitMetadata, parseCommitDetails, worktreeInfoFiles } from '../../../src/git/commit-details.js';

const output = ['c0ffee1234567890', 'Ada Author', 'ada@example.com', '2024-05-01 12:00:00 +0200', 'Bob Committer', 'bob@example.com', '2024-05-02 08:00:00 +0000', 'tag: v2, tag: v10, origin/main', 'Subject\n\nBody with\0odd bytes\n\n'].join('\0');

describe('commit details', () => {
  const details = parseCommitDetails(output);

  it('parses git log output: tags from the decorations, by name; the message without trailing newlines', () => {
    expect(details).toEqual({
      commit: 'c0ffee1234567890',
      authorName: 'Ada Author',
      authorEmail: 'ada@example.com',
      authorDate: '2024-05-01 12:00:00 +0200',
      committerName: 'Bob Committer',
      committerEmail: 'bob@example.com',
      committerDate: '2024-05-02 08:00:00 +0000',
      tags: ['v10', 'v2'],
      message: 'Subject\n\nBody with\0odd bytes',
    });
  });

  it("gives Concourse's metadata names, in its order, leaving out what is unknown", () => {
    expect(commitMetadata(details, { branch: 'main', url: 'https://github.com/o/r/commit/c0ffee' }).map(({ name }) => name)).toEqual([
      'commit',
      'author',
      'author_date',
      'committer',
      'committer_date',
      'branch',
      'tags',
      'message',
      'url',
    ]);
    expect(commitMetadata({ ...details, tags: [] }, {}).map(({ name }) => name)).toEqual(['commit', 'author', 'author_date', 'committer', 'committer_date', 'message']);
    expect(commitMetadata({ ...details, message: 'x'.repeat(20_000) }, {}).find(({ name }) => name === 'message')!.value).toHaveLength(10_240);
  });

  it("writes Concourse's .git files; committer holds the author's email", () => {
    expect(worktreeInfoFiles(details, { ref: 'c0ffee1234567890', branch: 'main', shortRefFormat: 'v-%s' })).toEqual({
      ref: 'c0ffee1234567890\n',
      short_ref: 'v-c0ffee1',
      commit_message: 'Subject\n\nBody with\0odd bytes',
      committer: 'ada@example.com',
      author: 'Ada Author',
      branch: 'main',
      tags: 'v10,v2',
      commit_timestamp: '2024-05-02 08:00:00 +0000',
    });
  });
});
