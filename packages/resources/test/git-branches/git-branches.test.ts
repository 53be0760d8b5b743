import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { branchSlug } from '../../src/git-branches/branch-slug.js';
import { gitBranchesResourceType, type GitBranchesSource, type GitBranchesVersion } from '../../src/git-branches/index.js';
import { ResourceError } from '../../src/interface.js';
import { startGitHttpServer, type RunningGitServer } from '../git/support/git-servers.js';
import { haveBinaries } from '../git/support/server-binaries.js';
import { Scratch } from '../git/support/scratch.js';
import { git, UpstreamRepository } from '../git/support/upstream-repository.js';
import type { TestContext } from '../support/context.js';

const scratch = new Scratch();
const servers: RunningGitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  scratch.cleanup();
});

/** A repository with main, feature/a, feature/b, a nested feature/a/deep and fix/x; returns the heads. */
function repositoryWithBranches(): { repo: UpstreamRepository; heads: Record<string, string> } {
  const repo = UpstreamRepository.create(scratch.dir('upstream'));
  const heads: Record<string, string> = { main: repo.commit('first') };
  for (const branch of ['feature/a', 'feature/b', 'fix/x']) {
    repo.switchTo(branch);
    repo.commit(`work on ${branch}`);
    heads[branch] = repo.head(branch);
    repo.switchTo('main');
  }
  // git cannot hold feature/a and feature/a/deep at once: this one sits under another prefix.
  repo.switchTo('feature-old/deep/er');
  repo.commit('deep');
  heads['feature-old/deep/er'] = repo.head('feature-old/deep/er');
  repo.switchTo('main');
  return { repo, heads };
}

function deleteBranch(repo: UpstreamRepository, branch: string): void {
  git(repo.workDir, ['push', '--quiet', 'origin', '--delete', branch]);
}

async function check(ctx: TestContext, source: GitBranchesSource): Promise<{ version: GitBranchesVersion; metadata: Record<string, string> }> {
  const found = await gitBranchesResourceType.check(ctx, source);
  expect(found).toHaveLength(1);
  return { version: found[0]!.version, metadata: Object.fromEntries((found[0]!.metadata ?? []).map((field) => [field.name, field.value])) };
}

/** branches.json as a get writes it, each slug checked and left out. */
async function listed(ctx: TestContext, source: GitBranchesSource, version: GitBranchesVersion): Promise<Array<{ name: string; commit: string }>> {
  const dir = scratch.dir('get');
  await gitBranchesResourceType.get(ctx, source, version, {}, dir);
  expect(readdirSync(dir)).toEqual(['branches.json']);
  const written = JSON.parse(readFileSync(join(dir, 'branches.json'), 'utf8')) as Array<{ name: string; commit: string; slug: string }>;
  return written.map(({ slug, ...head }) => {
    expect(slug).toBe(branchSlug(head.name));
    return head;
  });
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; hint: string | undefined }> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ResourceError);
  const { code, message, hint } = error as ResourceError;
  expect(hint).toBeTruthy();
  return { code, message, hint };
}

describe.skipIf(!haveBinaries('git'))('git-branches against a real repository (file://)', () => {
  it('versions the set of matching branches: a new branch, a push, a deletion; other branches change nothing', async () => {
    const { repo, heads } = repositoryWithBranches();
    const ctx = scratch.context();
    const source: GitBranchesSource = { uri: repo.fileUri, branches: 'feature/*' };

    const first = await check(ctx, source);
    expect(first.version.branches).toBe('2');
    expect(first.metadata).toEqual({ branches: `feature/a ${heads['feature/a']!.slice(0, 7)}, feature/b ${heads['feature/b']!.slice(0, 7)}`, change: 'first check' });
    expect(await listed(ctx, source, first.version)).toEqual([
      { name: 'feature/a', commit: heads['feature/a'] },
      { name: 'feature/b', commit: heads['feature/b'] },
    ]);

    // Pushes to branches that do not match (main, fix/x, a nested name) make no new version.
    repo.commit('main moves on');
    repo.switchTo('fix/x');
    repo.commit('fix moves on');
    repo.switchTo('feature-old/deep/er');
    repo.commit('deep moves on');
    expect((await check(ctx, source)).version).toEqual(first.version);

    // A push to a matching branch is a new version.
    repo.switchTo('feature/a');
    ctx.setNow(new Date(ctx.now().getTime() + 1000));
    repo.commit('more on a');
    const pushedA = repo.head('feature/a');
    const pushed = await check(ctx, source);
    expect(pushed.version).not.toEqual(first.version);
    expect(pushed.metadata.change).toBe('pushed: feature/a');

    // A new matching branch.
    repo.switchTo('feature/c');
    ctx.setNow(new Date(ctx.now().getTime() + 1000));
    repo.commit('start c');
    const headC = repo.head('feature/c');
    const added = await check(ctx, source);
    expect(added.version.branches).toBe('3');
    expect(added.metadata.change).toBe('new: feature/c');

    // A deleted one.
    repo.switchTo('main');
    deleteBranch(repo, 'feature/b');
    ctx.setNow(new Date(ctx.now().getTime() + 1000));
    const deleted = await check(ctx, source);
    expect(deleted.metadata.change).toBe('gone: feature/b');
    expect(await listed(ctx, source, deleted.version)).toEqual([
      { name: 'feature/a', commit: pushedA },
      { name: 'feature/c', commit: headC },
    ]);
    // An earlier version still lists the set it stood for.
    expect((await listed(ctx, source, added.version)).map((head) => head.name)).toEqual(['feature/a', 'feature/b', 'feature/c']);
  });

  it('makes a set that comes back (a branch deleted, then pushed again at the same commit) a new version', async () => {
    const { repo } = repositoryWithBranches();
    const ctx = scratch.context();
    const source: GitBranchesSource = { uri: repo.fileUri, branches: 'feature/*' };
    const before = await check(ctx, source);
    deleteBranch(repo, 'feature/b');
    ctx.setNow(new Date(ctx.now().getTime() + 1000));
    await check(ctx, source);
    git(repo.workDir, ['push', '--quiet', 'origin', 'feature/b']);
    ctx.setNow(new Date(ctx.now().getTime() + 1000));
    const back = await check(ctx, source);
    expect(back.version.digest).toBe(before.version.digest);
    expect(back.version).not.toEqual(before.version);
    expect(back.metadata.change).toBe('new: feature/b');
  });

  it('matches whole names with branch_regex, globs with braces and **, and every branch without a pattern', async () => {
    const { repo } = repositoryWithBranches();
    const names = async (source: Omit<GitBranchesSource, 'uri'>) => {
      const ctx = scratch.context();
      return (await listed(ctx, { uri: repo.fileUri, ...source }, (await check(ctx, { uri: repo.fileUri, ...source })).version)).map((head) => head.name);
    };
    expect(await names({ branch_regex: '(feature|fix)/[a-z]' })).toEqual(['feature/a', 'feature/b', 'fix/x']);
    // Whole names: `feature` alone does not match feature/a.
    expect(await names({ branch_regex: 'feature' })).toEqual([]);
    expect(await names({ branch_regex: 'feature/[[:alpha:]]' })).toEqual(['feature/a', 'feature/b']);
    expect(await names({ branches: '{feature,fix}/*' })).toEqual(['feature/a', 'feature/b', 'fix/x']);
    expect(await names({ branches: 'feature*/**' })).toEqual(['feature-old/deep/er', 'feature/a', 'feature/b']);
    expect(await names({})).toEqual(['feature-old/deep/er', 'feature/a', 'feature/b', 'fix/x', 'main']);
  });

  it('has a version for no matching branch at all, so the last branch going away is a change too', async () => {
    const { repo } = repositoryWithBranches();
    const ctx = scratch.context();
    const source: GitBranchesSource = { uri: repo.fileUri, branches: 'release/*' };
    const none = await check(ctx, source);
    expect(none.version.branches).toBe('0');
    expect(none.metadata.branches).toBe('(none)');
    expect(await listed(ctx, source, none.version)).toEqual([]);
  });

  it('hands hostile but valid branch names on verbatim, as data: no command runs, no path is made from them', async () => {
    const { repo, heads } = repositoryWithBranches();
    const hostile = ['feature/$(touch${IFS}pwned)', 'feature/a;id>pwned', "feature/'q\"uote`id`", 'feature/a|b&c>d', 'feature/${HOME}'];
    for (const name of hostile) git(repo.bareDir, ['update-ref', `refs/heads/${name}`, heads.main!]);
    // A var reference in a name would be filled in with a secret in the branch's pipeline.
    git(repo.bareDir, ['update-ref', 'refs/heads/feature/((token))', heads.main!]);
    const ctx = scratch.context();
    const source: GitBranchesSource = { uri: repo.fileUri, branches: 'feature/*' };
    const found = await check(ctx, source);
    const names = (await listed(ctx, source, found.version)).map((head) => head.name);
    expect(names).toEqual([...hostile, 'feature/a', 'feature/b'].sort((a, b) => (a < b ? -1 : 1)));
    for (const dir of [repo.workDir, repo.bareDir, process.cwd(), ctx.cacheDir]) expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(ctx.lines).toContain('ignored 1 ref that git would not take as a branch name, or that holds ((: "feature/((token))"');
    // Names with spaces or `..` cannot be refs in git at all: a server cannot hand them to a pipeline.
    expect(() => git(repo.bareDir, ['update-ref', 'refs/heads/feature/a b', heads.main!])).toThrow();
    expect(() => git(repo.bareDir, ['update-ref', 'refs/heads/feature/../../escape', heads.main!])).toThrow();
  });

  it('refuses a bad pattern, both patterns, an unreachable server and a missing repository with coded errors and hints', async () => {
    const { repo } = repositoryWithBranches();
    const ctx = scratch.context();
    expect(await codeOf(gitBranchesResourceType.check(ctx, { uri: repo.fileUri, branch_regex: 'feature/(' }))).toMatchObject({ code: 'git-branches-regex-invalid', message: expect.stringContaining('branch_regex "feature/("') });
    expect((await codeOf(gitBranchesResourceType.check(ctx, { uri: repo.fileUri, branches: 'feature/*', branch_regex: 'feature/.*' }))).code).toBe('git-branches-glob-and-regex');
    expect((await codeOf(gitBranchesResourceType.check(ctx, { uri: 'git://127.0.0.1:1/nothing.git', branches: '*' }))).code).toBe('git-unreachable');
    const missing = await codeOf(gitBranchesResourceType.check(ctx, { uri: `${repo.fileUri}-missing`, branches: '*' }));
    expect(missing.code).toBe('git-repository-not-found');
    expect(missing.message).toContain('listing the branches of');
    expect((await codeOf(gitBranchesResourceType.put(ctx, { uri: repo.fileUri }, {}, scratch.dir('put')))).code).toBe('git-branches-put-unsupported');
  });

  it('gets a version without the check memory while it is still the repository\'s set, and says so when it is not', async () => {
    const { repo } = repositoryWithBranches();
    const ctx = scratch.context();
    const source: GitBranchesSource = { uri: repo.fileUri, branches: 'feature/*' };
    const found = await check(ctx, source);
    rmSync(ctx.cacheDir, { recursive: true, force: true });
    expect((await listed(ctx, source, found.version)).map((head) => head.name)).toEqual(['feature/a', 'feature/b']);
    deleteBranch(repo, 'feature/a');
    expect((await codeOf(gitBranchesResourceType.get(ctx, source, found.version, {}, scratch.dir('get')))).code).toBe('git-branches-version-gone');
  });
});

describe.skipIf(!haveBinaries('git', 'git-http-backend'))('git-branches over smart HTTP with credentials', () => {
  it('reaches the repository with the git type\'s username and password, and says when they are wrong', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    repo.commit('first');
    repo.switchTo('feature/login');
    repo.commit('login');
    const server = await startGitHttpServer(root, { credentials: { username: 'ada', password: 's3cret-token' } });
    servers.push(server);
    const ctx = scratch.context();
    const source: GitBranchesSource = { uri: server.url('project'), branches: 'feature/*', username: 'ada', password: 's3cret-token' };
    const found = await check(ctx, source);
    expect(found.metadata.branches).toMatch(/^feature\/login [0-9a-f]{7}$/);
    const wrong = await codeOf(gitBranchesResourceType.check(scratch.context(), { ...source, password: 'wrong-password' }));
    expect(wrong.code).toBe('git-auth-failed');
    expect(wrong.message).not.toContain('wrong-password');
  });
});
