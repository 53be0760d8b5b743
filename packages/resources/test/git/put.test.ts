import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitResourceType, type GitSource } from '../../src/git/index.js';
import { haveBinaries } from './support/server-binaries.js';
import { Scratch } from './support/scratch.js';
import { git, UpstreamRepository } from './support/upstream-repository.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

/** A build: the upstream's HEAD fetched into `<workdir>/repo` by a get, as the artifact a task commits to. */
async function buildWithCheckout(repo: UpstreamRepository, source: GitSource): Promise<{ workdir: string; artifact: string }> {
  const workdir = scratch.dir('build');
  const artifact = scratch.subdir(workdir, 'repo');
  await gitResourceType.get(scratch.context(), source, { ref: repo.head() }, {}, artifact);
  return { workdir, artifact };
}

/** What a task does: change a file and commit. */
function commitInArtifact(artifact: string, file: string, contents: string, message: string): string {
  writeFileSync(join(artifact, file), contents);
  git(artifact, ['add', file]);
  git(artifact, ['commit', '--quiet', '-m', message]);
  return git(artifact, ['rev-parse', 'HEAD']);
}

describe.skipIf(!haveBinaries('git'))('git put (file://)', () => {
  it('pushes HEAD of the repository to the branch and returns it as the version, with metadata', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': '1' });
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    const built = commitInArtifact(artifact, 'a.txt', '2', 'bump a');
    const ctx = scratch.context();

    const result = await gitResourceType.put(ctx, source, { repository: 'repo' }, workdir);

    expect(result.version).toEqual({ ref: built });
    expect(repo.head()).toBe(built);
    expect(result.metadata).toContainEqual({ name: 'message', value: 'bump a' });
    expect(result.metadata).toContainEqual({ name: 'branch', value: 'main' });
    expect(ctx.lines).toEqual([`pushing ${built.slice(0, 7)} to branch main of ${repo.fileUri}`]);
    // The new commit is what the next check finds.
    expect((await gitResourceType.check(scratch.context(), source)).map(({ version }) => version.ref)).toEqual([built]);
  });

  it('fails clearly when the branch moved on, unless rebase or merge is set', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': '1' });
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    commitInArtifact(artifact, 'b.txt', 'built', 'build output');
    const meanwhile = repo.commit('someone else', { 'c.txt': 'other' });

    await expect(gitResourceType.put(scratch.context(), source, { repository: 'repo' }, workdir)).rejects.toMatchObject({
      code: 'git-push-rejected',
      message: expect.stringContaining('branch main'),
      hint: expect.stringContaining('rebase: true'),
    });
    expect(repo.head()).toBe(meanwhile);

    const ctx = scratch.context();
    const rebased = await gitResourceType.put(ctx, source, { repository: 'repo', rebase: true }, workdir);
    expect(repo.head()).toBe(rebased.version.ref);
    expect(git(repo.bareDir, ['log', '--format=%s', 'main'])).toBe('build output\nsomeone else\nfirst');
    expect(ctx.lines[1]).toBe('branch main moved on; rebasing onto it and trying again (attempt 2 of 5)');
  });

  it('merges with merge: true, returning the merge commit or the commit that was built', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': '1' });
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    const built = commitInArtifact(artifact, 'b.txt', 'built', 'build output');
    const meanwhile = repo.commit('someone else', { 'c.txt': 'other' });

    const result = await gitResourceType.put(scratch.context(), source, { repository: 'repo', merge: true, returning: 'unmerged' }, workdir);
    expect(result.version).toEqual({ ref: built });
    const merge = repo.head();
    expect(git(repo.bareDir, ['rev-list', '--parents', '-n', '1', merge]).split(' ').slice(1)).toEqual([built, meanwhile]);

    repo.sync();
    repo.commit('yet another', { 'd.txt': 'd' });
    const merged = await gitResourceType.put(scratch.context(), source, { repository: 'repo', merge: true }, workdir);
    expect(merged.version.ref).toBe(repo.head());
    await expect(gitResourceType.put(scratch.context(), source, { repository: 'repo', merge: true, rebase: true }, workdir)).rejects.toMatchObject({ code: 'git-put-rebase-and-merge' });
  });

  it('fails clearly when rebasing conflicts, leaving the repository as it was', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': '1' });
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    const built = commitInArtifact(artifact, 'a.txt', 'mine', 'change a');
    repo.commit('theirs', { 'a.txt': 'theirs' });
    await expect(gitResourceType.put(scratch.context(), source, { repository: 'repo', rebase: true }, workdir)).rejects.toMatchObject({ code: 'git-put-rebase-conflict' });
    expect(git(artifact, ['rev-parse', 'HEAD'])).toBe(built);
    expect(git(artifact, ['status', '--porcelain'])).toBe('');
  });

  it('tags HEAD from a file (with tag_prefix and annotate), pushes tags, and only tags with only_tag', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first');
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    const built = commitInArtifact(artifact, 'version', '1.2.3', 'release 1.2.3');
    writeFileSync(join(scratch.subdir(workdir, 'version'), 'number'), '1.2.3\n');
    writeFileSync(join(workdir, 'version', 'notes'), 'Release notes');

    await gitResourceType.put(scratch.context(), source, { repository: 'repo', tag: 'version/number', tag_prefix: 'v', annotate: 'version/notes' }, workdir);
    expect(git(repo.bareDir, ['rev-parse', 'v1.2.3^{commit}'])).toBe(built);
    expect(git(repo.bareDir, ['cat-file', '-p', 'v1.2.3'])).toContain('Release notes');
    expect(git(repo.bareDir, ['cat-file', '-p', 'v1.2.3'])).toContain('tagger weir <weir@localhost>');

    writeFileSync(join(workdir, 'version', 'number'), '1.2.4');
    const onlyTag = await gitResourceType.put(scratch.context(), { uri: repo.fileUri }, { repository: 'repo', tag: 'version/number', only_tag: true }, workdir);
    expect(onlyTag.version).toEqual({ ref: built });
    expect(git(repo.bareDir, ['rev-parse', '1.2.4'])).toBe(built);
  });

  it('returns the tag as the version of a tag_filter source', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first');
    const source: GitSource = { uri: repo.fileUri, branch: 'main', tag_filter: 'v*' };
    const workdir = scratch.dir('build');
    const artifact = scratch.subdir(workdir, 'repo');
    await gitResourceType.get(scratch.context(), { uri: repo.fileUri, branch: 'main' }, { ref: repo.head() }, {}, artifact);
    writeFileSync(join(workdir, 'tag'), 'v2.0.0');
    const result = await gitResourceType.put(scratch.context(), source, { repository: 'repo', tag: 'tag' }, workdir);
    expect(result.version).toEqual({ ref: 'v2.0.0', commit: repo.head() });
    expect((await gitResourceType.check(scratch.context(), source)).map(({ version }) => version)).toEqual([result.version]);
  });

  it('pushes to params.branch, naming it in the version, and overwrites with force', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first');
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    const built = commitInArtifact(artifact, 'x', 'x', 'on a new branch');
    const result = await gitResourceType.put(scratch.context(), source, { repository: 'repo', branch: 'release' }, workdir);
    expect(result.version).toEqual({ ref: built, branch: 'release' });
    expect(repo.head('release')).toBe(built);
    expect(result.metadata).toContainEqual({ name: 'branch', value: 'release' });

    repo.commit('upstream moves on');
    expect(repo.head()).not.toBe(built);
    const forced = await gitResourceType.put(scratch.context(), source, { repository: 'repo', force: true }, workdir);
    expect(repo.head()).toBe(built);
    expect(forced.version).toEqual({ ref: built });
  });

  it('fails clearly for a missing repository, a path outside the build, a missing tag file or branch', async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first');
    const workdir = scratch.dir('build');
    scratch.subdir(workdir, 'not-a-repo');
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    await expect(gitResourceType.put(scratch.context(), source, { repository: 'not-a-repo' }, workdir)).rejects.toMatchObject({ code: 'git-put-not-a-repository' });
    await expect(gitResourceType.put(scratch.context(), source, { repository: 'missing' }, workdir)).rejects.toMatchObject({ code: 'git-put-not-a-repository' });
    await expect(gitResourceType.put(scratch.context(), source, { repository: '../elsewhere' }, workdir)).rejects.toMatchObject({ code: 'git-put-path-outside' });
    await expect(gitResourceType.put(scratch.context(), source, {} as never, workdir)).rejects.toMatchObject({ code: 'git-put-without-repository' });
    await expect(gitResourceType.put(scratch.context(), { uri: repo.fileUri }, { repository: 'repo' }, workdir)).rejects.toMatchObject({ code: 'git-put-without-branch' });
    await expect(gitResourceType.put(scratch.context(), source, { repository: 'repo', tag: 'nope/file' }, workdir)).rejects.toMatchObject({ code: 'git-put-file-unreadable' });
  });

  it("runs none of the repository's hooks or programs it configures, and refuses a .git that points elsewhere", async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': '1' });
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    commitInArtifact(artifact, 'b.txt', 'built', 'build output');
    const marker = join(workdir, 'owned');
    const script = join(workdir, 'evil.sh');
    writeFileSync(script, `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(script, 0o755);
    for (const hook of ['pre-push', 'reference-transaction', 'post-rewrite', 'pre-rebase']) {
      writeFileSync(join(artifact, '.git', 'hooks', hook), `#!/bin/sh\n${script}\n`);
      chmodSync(join(artifact, '.git', 'hooks', hook), 0o755);
    }
    git(artifact, ['config', 'core.fsmonitor', script]);
    git(artifact, ['config', 'commit.gpgSign', 'true']);
    git(artifact, ['config', 'gpg.program', script]);
    repo.commit('meanwhile', { 'c.txt': 'c' });
    writeFileSync(join(workdir, 'tag'), 'v1');

    const result = await gitResourceType.put(scratch.context(), source, { repository: 'repo', rebase: true, tag: 'tag' }, workdir);
    expect(repo.head()).toBe(result.version.ref);
    expect(existsSync(marker)).toBe(false);

    const elsewhere = scratch.subdir(workdir, 'elsewhere');
    writeFileSync(join(elsewhere, '.git'), `gitdir: ${join(artifact, '.git')}\n`);
    await expect(gitResourceType.put(scratch.context(), source, { repository: 'elsewhere' }, workdir)).rejects.toMatchObject({ code: 'git-put-not-a-repository' });
  });

  it("applies none of the repository's own git settings: no URL rewrite to ext::, no filter or merge driver", async () => {
    const repo = UpstreamRepository.create(scratch.dir('upstream'));
    repo.commit('first', { 'a.txt': '1' });
    const source: GitSource = { uri: repo.fileUri, branch: 'main' };
    const { workdir, artifact } = await buildWithCheckout(repo, source);
    writeFileSync(join(artifact, '.gitattributes'), '* filter=x merge=x\n');
    commitInArtifact(artifact, 'b.txt', 'built', 'build output');
    repo.commit('meanwhile', { 'c.txt': 'c' });
    const marker = (name: string) => join(workdir, `owned-by-${name}`);
    // Set after the task's own commits, as a task would leave them for the put.
    const planted: Array<[string, string]> = [
      ['protocol.allow', 'always'],
      [`url.ext::sh -c touch% ${marker('ext')}.insteadOf`, repo.fileUri],
      ['filter.x.smudge', `touch ${marker('smudge')}; cat`],
      ['filter.x.clean', `touch ${marker('clean')}; cat`],
      ['filter.x.required', 'true'],
      ['merge.x.driver', `touch ${marker('merge')}; false`],
      ['core.alternateRefsCommand', `touch ${marker('alternate-refs')}`],
    ];
    for (const [name, value] of planted) git(artifact, ['config', name, value]);

    const rebased = await gitResourceType.put(scratch.context(), source, { repository: 'repo', rebase: true }, workdir);
    expect(repo.head()).toBe(rebased.version.ref);
    expect(git(repo.bareDir, ['log', '--format=%s', 'main'])).toBe('build output\nmeanwhile\nfirst');
    repo.sync();
    repo.commit('meanwhile again', { 'd.txt': 'd' });
    const merged = await gitResourceType.put(scratch.context(), source, { repository: 'repo', merge: true }, workdir);
    expect(repo.head()).toBe(merged.version.ref);
    expect(readdirSync(workdir).filter((name) => name.startsWith('owned-by-'))).toEqual([]);
  });
});
