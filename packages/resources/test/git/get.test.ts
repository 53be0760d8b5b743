import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitResourceType, type GitSource } from '../../src/git/index.js';
import { haveBinaries } from './support/server-binaries.js';
import { Scratch } from './support/scratch.js';
import { git, UpstreamRepository } from './support/upstream-repository.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

const infoFile = (dir: string, name: string) => readFileSync(join(dir, '.git', name), 'utf8');

describe.skipIf(!haveBinaries('git'))('git get (file://)', () => {
  it("checks out the version in a normal repository with Concourse's .git files and metadata", async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': 'a' });
    const commit = repo.commit('Add b\n\nWith a body.', { 'b.txt': 'b' });
    repo.tag('v1.0.0');
    repo.tag('stable', { message: 'annotated' });
    const ctx = scratch.context();
    const dir = scratch.dir('get');
    // As in a pipeline: a check (which fetches no tags) fills the cache before the get.
    expect(await gitResourceType.check(ctx, { uri: repo.fileUri, branch: 'main' })).toEqual([{ version: { ref: commit } }]);

    const result = await gitResourceType.get(ctx, { uri: repo.fileUri, branch: 'main' }, { ref: commit }, {}, dir);

    expect(result.version).toEqual({ ref: commit });
    expect(Object.fromEntries(result.metadata!.map(({ name, value }) => [name, value]))).toEqual({
      commit,
      author: 'Ada Author',
      author_date: '2023-11-14 22:15:20 +0000',
      committer: 'Ada Author',
      committer_date: '2023-11-14 22:15:20 +0000',
      branch: 'main',
      tags: 'stable,v1.0.0',
      message: 'Add b\n\nWith a body.',
    });
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('b');
    expect(git(dir, ['rev-parse', 'HEAD'])).toBe(commit);
    expect(git(dir, ['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    expect(git(dir, ['log', '--format=%s'])).toBe('Add b\nfirst');
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    expect(git(dir, ['remote', 'get-url', 'origin'])).toBe(repo.fileUri);
    expect({
      ref: infoFile(dir, 'ref'),
      short_ref: infoFile(dir, 'short_ref'),
      commit_message: infoFile(dir, 'commit_message'),
      committer: infoFile(dir, 'committer'),
      author: infoFile(dir, 'author'),
      branch: infoFile(dir, 'branch'),
      tags: infoFile(dir, 'tags'),
      commit_timestamp: infoFile(dir, 'commit_timestamp'),
    }).toEqual({
      ref: `${commit}\n`,
      short_ref: commit.slice(0, 7),
      commit_message: 'Add b\n\nWith a body.',
      committer: 'ada@example.com',
      author: 'Ada Author',
      branch: 'main',
      tags: 'stable,v1.0.0',
      commit_timestamp: '2023-11-14 22:15:20 +0000',
    });
    expect(ctx.lines).toEqual([`fetched ${repo.fileUri} at ${commit.slice(0, 7)} on main`, 'Ada Author <ada@example.com>, 2023-11-14 22:15:20 +0000: Add b']);
  });

  it('gets an older version, with exactly depth commits of history ending at it', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    const commits = ['1', '2', '3', '4', '5'].map((n) => repo.commit(`commit ${n}`, { n }));
    const full = scratch.dir('get');
    await gitResourceType.get(scratch.context(), { uri: repo.fileUri, branch: 'main' }, { ref: commits[1]! }, {}, full);
    expect(git(full, ['rev-parse', 'HEAD'])).toBe(commits[1]);
    expect(readFileSync(join(full, 'n'), 'utf8')).toBe('2');

    const shallow = scratch.dir('get');
    await gitResourceType.get(scratch.context(), { uri: repo.fileUri, branch: 'main' }, { ref: commits[2]! }, { depth: 2, short_ref_format: 'build-%s' }, shallow);
    expect(git(shallow, ['rev-list', 'HEAD'])).toBe(`${commits[2]}\n${commits[1]}`);
    expect(git(shallow, ['rev-parse', '--is-shallow-repository'])).toBe('true');
    expect(git(shallow, ['remote', 'get-url', 'origin'])).toBe(repo.fileUri);
    expect(infoFile(shallow, 'short_ref')).toBe(`build-${commits[2]!.slice(0, 7)}`);
  });

  it('fetches tags as fetch_tags says, and deletes them with clean_tags', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    const tagged = repo.commit('tagged');
    repo.tag('v1');
    repo.switchTo('other');
    repo.commit('elsewhere');
    repo.tag('other-tag');
    repo.switchTo('main');
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const tagsIn = (dir: string) => git(dir, ['tag', '--list']).split('\n').filter(Boolean);

    const following = scratch.dir('get');
    await gitResourceType.get(scratch.context(), source, { ref: tagged }, {}, following);
    expect(tagsIn(following)).toEqual(['v1']);
    const all = scratch.dir('get');
    await gitResourceType.get(scratch.context(), { ...source, fetch_tags: true }, { ref: tagged }, {}, all);
    expect(tagsIn(all)).toEqual(['other-tag', 'v1']);
    const none = scratch.dir('get');
    await gitResourceType.get(scratch.context(), { ...source, fetch_tags: true }, { ref: tagged }, { fetch_tags: false }, none);
    expect(tagsIn(none)).toEqual([]);
    const cleaned = scratch.dir('get');
    const result = await gitResourceType.get(scratch.context(), source, { ref: tagged }, { clean_tags: true }, cleaned);
    expect(tagsIn(cleaned)).toEqual([]);
    expect(infoFile(cleaned, 'tags')).toBe('v1');
    expect(result.metadata).toContainEqual({ name: 'tags', value: 'v1' });
  });

  it('gets a tag version: .git/ref is the tag, HEAD the tagged commit', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    const released = repo.commit('release');
    repo.tag('v2.0.0', { message: 'Release 2.0.0' });
    repo.commit('after');
    const dir = scratch.dir('get');
    const source: GitSource = { uri: repo.fileUri, tag_filter: 'v*' };
    const [version] = await gitResourceType.check(scratch.context(), source);
    const result = await gitResourceType.get(scratch.context(), source, version!.version, {}, dir);
    expect(result.version).toEqual({ ref: 'v2.0.0', commit: released });
    expect(git(dir, ['rev-parse', 'HEAD'])).toBe(released);
    expect(infoFile(dir, 'ref')).toBe('v2.0.0\n');
    expect(infoFile(dir, 'tags')).toBe('v2.0.0');
  });

  it('gets a version pushed to another branch, and fails clearly for a version that is gone', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('main');
    repo.switchTo('hotfix');
    const hotfix = repo.commit('hotfix');
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const dir = scratch.dir('get');
    await gitResourceType.get(scratch.context(), source, { ref: hotfix, branch: 'hotfix' }, {}, dir);
    expect(git(dir, ['rev-parse', 'HEAD'])).toBe(hotfix);
    expect(infoFile(dir, 'branch')).toBe('hotfix');

    const gone = 'deadbeef'.repeat(5);
    await expect(gitResourceType.get(scratch.context(), source, { ref: gone }, {}, scratch.dir('get'))).rejects.toMatchObject({
      code: 'git-version-not-found',
      message: expect.stringContaining(gone),
    });
  });

  it('reads text params leniently and rejects malformed ones', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    const commit = repo.commit('one');
    const ctx = scratch.context();
    await gitResourceType.get(ctx, { uri: repo.fileUri, branch: 'main' }, { ref: commit }, { depth: '1' } as never, scratch.dir('get'));
    await expect(gitResourceType.get(ctx, { uri: repo.fileUri, branch: 'main' }, { ref: commit }, { depth: -1 }, scratch.dir('get'))).rejects.toMatchObject({ code: 'git-get-param-invalid' });
    await expect(gitResourceType.get(ctx, { uri: repo.fileUri, branch: 'main' }, { ref: commit }, { submodules: 'some' } as never, scratch.dir('get'))).rejects.toMatchObject({
      code: 'git-get-param-invalid',
      message: expect.stringContaining('params.submodules'),
    });
  });
});
