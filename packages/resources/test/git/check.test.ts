import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitResourceType, type GitSource } from '../../src/git/index.js';
import { haveBinaries } from './support/server-binaries.js';
import { Scratch } from './support/scratch.js';
import { UpstreamRepository } from './support/upstream-repository.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

function upstream(branch = 'main'): UpstreamRepository {
  return UpstreamRepository.create(scratch.dir('upstream'), 'repo', branch);
}

const refs = (versions: Array<{ version: { ref: string } }>) => versions.map(({ version }) => version.ref);

describe.skipIf(!haveBinaries('git'))('git check (file://)', () => {
  it('returns only the newest commit at first, then every commit from the given version on, oldest first', async () => {
    const repo = upstream();
    const [c1, c2, c3, c4] = ['one', 'two', 'three', 'four'].map((message) => repo.commit(message, { [`${message}.txt`]: message }));
    const ctx = scratch.context();
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };

    expect(refs(await gitResourceType.check(ctx, source))).toEqual([c4]);
    expect(refs(await gitResourceType.check(ctx, source, { ref: c2! }))).toEqual([c2, c3, c4]);
    expect(refs(await gitResourceType.check(ctx, source, { ref: c4! }))).toEqual([c4]);
    // The root commit has no parent to stop at.
    expect(refs(await gitResourceType.check(ctx, source, { ref: c1! }))).toEqual([c1, c2, c3, c4]);
    const c5 = repo.commit('five');
    expect(refs(await gitResourceType.check(ctx, source, { ref: c4! }))).toEqual([c4, c5]);
  });

  it('returns version_depth commits at first', async () => {
    const repo = upstream();
    const commits = ['a', 'b', 'c', 'd'].map((message) => repo.commit(message));
    const source: GitSource = { uri: repo.fileUri, branch: 'main', version_depth: 3 };
    expect(refs(await gitResourceType.check(scratch.context(), source))).toEqual(commits.slice(1));
  });

  it('follows the first-parent history: commits merged from another branch are not versions, the merge is', async () => {
    const repo = upstream();
    const base = repo.commit('base');
    repo.switchTo('feature');
    repo.commit('feature work', { 'feature.txt': 'x' });
    repo.switchTo('main');
    const mainWork = repo.commit('main work', { 'main.txt': 'y' });
    const merge = repo.merge('feature', 'merge feature');
    expect(refs(await gitResourceType.check(scratch.context(), { uri: repo.fileUri, branch: 'main' }, { ref: base }))).toEqual([base, mainWork, merge]);
  });

  it('skips [ci skip] and [skip ci] commits unless disable_ci_skip is set', async () => {
    const repo = upstream();
    const c1 = repo.commit('first');
    const c2 = repo.commit('docs only [ci skip]');
    const c3 = repo.commit('real change');
    const c4 = repo.commit('wip\n\nnot ready [skip ci]');
    const ctx = scratch.context();
    expect(refs(await gitResourceType.check(ctx, { uri: repo.fileUri, branch: 'main' }))).toEqual([c3]);
    expect(refs(await gitResourceType.check(ctx, { uri: repo.fileUri, branch: 'main' }, { ref: c1 }))).toEqual([c1, c3]);
    expect(refs(await gitResourceType.check(ctx, { uri: repo.fileUri, branch: 'main', disable_ci_skip: true }, { ref: c1 }))).toEqual([c1, c2, c3, c4]);
  });

  it('filters commits by paths and ignore_paths', async () => {
    const repo = upstream();
    const root = repo.commit('root', { 'README.md': 'hi' });
    const src = repo.commit('code', { 'src/app.ts': '1' });
    const docs = repo.commit('docs', { 'docs/guide.md': '1' });
    const both = repo.commit('code and docs', { 'src/app.ts': '2', 'docs/guide.md': '2' });
    const readme = repo.commit('readme', { 'README.md': 'hello' });
    const ctx = scratch.context();
    const check = (source: Partial<GitSource>) => gitResourceType.check(ctx, { uri: repo.fileUri, branch: 'main', ...source }, { ref: root });

    expect(refs(await check({ paths: ['src'] }))).toEqual([src, both]);
    expect(refs(await check({ ignore_paths: ['docs', '*.md'] }))).toEqual([src, both]);
    expect(refs(await check({ paths: ['*.md'], ignore_paths: ['docs'] }))).toEqual([root, readme]);
    expect(refs(await gitResourceType.check(scratch.context(), { uri: repo.fileUri, branch: 'main', paths: ['docs'] }))).toEqual([both]);
    expect(docs).toBeDefined();
  });

  it('filters commits by message with commit_filter', async () => {
    const repo = upstream();
    const first = repo.commit('feat: parser');
    repo.commit('chore: deps');
    const third = repo.commit('feat: printer (wip)');
    const fourth = repo.commit('fix: printer');
    const ctx = scratch.context();
    const check = (commit_filter: GitSource['commit_filter']) => gitResourceType.check(ctx, { uri: repo.fileUri, branch: 'main', commit_filter }, { ref: first });
    expect(refs(await check({ include: ['^feat', '^fix'] }))).toEqual([first, third, fourth]);
    expect(refs(await check({ include: ['^feat', '^fix'], exclude: ['wip'] }))).toEqual([first, fourth]);
    expect(refs(await check({ include: ['printer', '^fix'], include_all_match: true }))).toEqual([fourth]);
  });

  it('starts over from the newest commit when the given version was force-pushed away', async () => {
    const repo = upstream();
    const c1 = repo.commit('one');
    repo.commit('two');
    const c3 = repo.commit('three');
    const ctx = scratch.context();
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    expect(refs(await gitResourceType.check(ctx, source, { ref: c3 }))).toEqual([c3]);

    repo.forcePushTo(c1);
    const rewritten = repo.commit('two, rewritten');
    expect(refs(await gitResourceType.check(ctx, source, { ref: c3 }))).toEqual([rewritten]);
    expect(ctx.lines.join('\n')).toContain(`commit ${c3} is no longer on branch main`);
    expect(refs(await gitResourceType.check(ctx, source, { ref: 'not-a-commit' }))).toEqual([rewritten]);
  });

  it('asks the server only (ls-remote) when no filter needs the history, and keeps no cache', async () => {
    const repo = upstream();
    const c1 = repo.commit('one');
    const c2 = repo.commit('two [ci skip]');
    const ctx = scratch.context();
    const source: GitSource = { uri: repo.fileUri, branch: 'main', disable_ci_skip: true };
    expect(refs(await gitResourceType.check(ctx, source))).toEqual([c2]);
    expect(refs(await gitResourceType.check(ctx, source, { ref: c2 }))).toEqual([c2]);
    expect(existsSync(join(ctx.cacheDir, 'mirror.git'))).toBe(false);
    // An older version needs the commits in between: then the history is fetched.
    expect(refs(await gitResourceType.check(ctx, source, { ref: c1 }))).toEqual([c1, c2]);
    expect(existsSync(join(ctx.cacheDir, 'mirror.git'))).toBe(true);
  });

  it("follows the repository's default branch when the source names none", async () => {
    const repo = upstream('trunk');
    const head = repo.commit('on trunk');
    expect(refs(await gitResourceType.check(scratch.context(), { uri: repo.fileUri }))).toEqual([head]);
  });

  it('fails clearly for a missing branch or repository', async () => {
    const repo = upstream();
    repo.commit('one');
    for (const disable_ci_skip of [true, false]) {
      await expect(gitResourceType.check(scratch.context(), { uri: repo.fileUri, branch: 'nope', disable_ci_skip })).rejects.toMatchObject({
        code: 'git-branch-not-found',
        message: expect.stringContaining('nope'),
      });
    }
    await expect(gitResourceType.check(scratch.context(), { uri: `${repo.fileUri}-missing`, branch: 'main' })).rejects.toMatchObject({ code: 'git-repository-not-found' });
    await expect(gitResourceType.check(scratch.context(), { uri: repo.fileUri, branch: '--upload-pack=touch /tmp/x' })).rejects.toMatchObject({ code: 'git-branch-invalid' });
  });

  it('stops with git-aborted when the signal aborts', async () => {
    const repo = upstream();
    repo.commit('one');
    const controller = new AbortController();
    controller.abort();
    await expect(gitResourceType.check(scratch.context({ signal: controller.signal }), { uri: repo.fileUri, branch: 'main' })).rejects.toMatchObject({ code: 'git-aborted' });
  });

  it('refuses git_config entries that would make git run programs', async () => {
    const repo = upstream();
    repo.commit('one');
    const source: GitSource = { uri: repo.fileUri, branch: 'main', git_config: [{ name: 'core.fsmonitor', value: 'touch /tmp/owned' }] };
    await expect(gitResourceType.check(scratch.context(), source)).rejects.toMatchObject({ code: 'git-config-not-allowed' });
    const harmless: GitSource = { uri: repo.fileUri, branch: 'main', git_config: [{ name: 'core.bigFileThreshold', value: '10m' }, { name: 'http.postBuffer', value: 524288000 }] };
    expect(await gitResourceType.check(scratch.context(), harmless)).toHaveLength(1);
  });

  it('lets checks and gets of one history share the cache at the same time', async () => {
    const repo = upstream();
    const commits = ['a', 'b', 'c'].map((message) => repo.commit(message, { [message]: message }));
    const ctx = scratch.context();
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const results = await Promise.all([
      ...[0, 1, 2, 3].map(() => gitResourceType.check(ctx, source, { ref: commits[0]! })),
      ...commits.map((commit) => gitResourceType.get(ctx, source, { ref: commit }, {}, scratch.dir('get'))),
    ]);
    for (const versions of results.slice(0, 4)) expect(refs(versions as Array<{ version: { ref: string } }>)).toEqual(commits);
    expect(results.slice(4).map((result) => (result as { version: { ref: string } }).version.ref)).toEqual(commits);
  });
});

describe.skipIf(!haveBinaries('git'))('git check with tag_filter / tag_regex (file://)', () => {
  it('returns the newest matching tag on the branch at first, then version_depth newest from the given tag on', async () => {
    const repo = upstream();
    const c1 = repo.commit('one');
    repo.tag('v1.0.0');
    const c2 = repo.commit('two');
    repo.tag('v1.1.0', { message: 'annotated release' });
    repo.tag('nightly-1');
    repo.switchTo('other');
    const elsewhere = repo.commit('elsewhere');
    repo.tag('v9.0.0');
    repo.switchTo('main');
    const ctx = scratch.context();
    const source: GitSource = { uri: repo.fileUri, branch: 'main', tag_filter: 'v*' };

    expect((await gitResourceType.check(ctx, source)).map(({ version }) => version)).toEqual([{ ref: 'v1.1.0', commit: c2 }]);
    expect((await gitResourceType.check(ctx, { ...source, version_depth: 5 })).map(({ version }) => version)).toEqual([
      { ref: 'v1.0.0', commit: c1 },
      { ref: 'v1.1.0', commit: c2 },
    ]);
    const c3 = repo.commit('three');
    repo.tag('v1.2.0');
    expect((await gitResourceType.check(ctx, { ...source, version_depth: 5 }, { ref: 'v1.1.0', commit: c2 })).map(({ version }) => version.ref)).toEqual(['v1.1.0', 'v1.2.0']);
    // Without a branch, every matching tag counts, in the order they were made.
    expect(refs(await gitResourceType.check(ctx, { uri: repo.fileUri, tag_filter: 'v*', version_depth: 5 }))).toEqual(['v1.0.0', 'v1.1.0', 'v9.0.0', 'v1.2.0']);
    expect(refs(await gitResourceType.check(ctx, { uri: repo.fileUri, tag_filter: 'v*', version_depth: 5 }, { ref: 'v9.0.0' }))).toEqual(['v9.0.0', 'v1.2.0']);
    expect([elsewhere, c3]).toHaveLength(2);
  });

  it('matches whole tag names with tag_regex, POSIX classes included', async () => {
    const repo = upstream();
    repo.commit('one');
    repo.tag('v1.0.0');
    repo.tag('v1.0.0-rc1');
    repo.commit('two');
    repo.tag('release-2');
    const source: GitSource = { uri: repo.fileUri, branch: 'main', tag_regex: 'v[[:digit:]]+\\.[0-9]+\\.[0-9]+', version_depth: 10 };
    expect(refs(await gitResourceType.check(scratch.context(), source))).toEqual(['v1.0.0']);
    await expect(gitResourceType.check(scratch.context(), { ...source, tag_regex: 'v(' })).rejects.toMatchObject({ code: 'git-tag-regex-invalid' });
    await expect(gitResourceType.check(scratch.context(), { ...source, tag_filter: 'v*' })).rejects.toMatchObject({ code: 'git-tag-filter-and-regex' });
  });

  it('applies paths and [ci skip] to the tagged commits, and starts over when the given tag is gone', async () => {
    const repo = upstream();
    repo.commit('code', { 'src/a': '1' });
    repo.tag('v1');
    repo.commit('docs', { 'docs/a': '1' });
    repo.tag('v2');
    repo.commit('code again [ci skip]', { 'src/a': '2' });
    repo.tag('v3');
    const ctx = scratch.context();
    const source: GitSource = { uri: repo.fileUri, branch: 'main', tag_filter: 'v*', paths: ['src'], version_depth: 10 };
    expect(refs(await gitResourceType.check(ctx, source))).toEqual(['v1']);
    expect(refs(await gitResourceType.check(ctx, { ...source, disable_ci_skip: true }))).toEqual(['v1', 'v3']);

    repo.deleteTag('v1');
    expect(refs(await gitResourceType.check(ctx, { ...source, disable_ci_skip: true, paths: [] }, { ref: 'v1' }))).toEqual(['v2', 'v3']);
    expect(ctx.lines.join('\n')).toContain('tag v1 no longer exists');
  });
});
