import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubPrResourceType as pr, type PrVersion } from '../../src/github-pr/index.js';
import { COMMENT_MARKER } from '../../src/github-pr/put.js';
import { testContext } from '../support/context.js';
import { checkContext, httpServer, simulator, sourceFor, tempDir } from './harness.js';

const head = (dir: string): string => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
const parents = (dir: string): string[] => execFileSync('git', ['rev-list', '--parents', '-n', '1', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim().split(' ').slice(1);

const facts = async (dir: string, name: string) => readFile(join(dir, '.git', 'resource', name), 'utf8');
const openPulls = async (dir: string): Promise<PrVersion[]> => JSON.parse(await facts(dir, 'open_pulls.json')) as PrVersion[];

const build = { buildId: 7, buildName: '7', jobName: 'test', pipelineName: 'prs', teamName: 'main', url: 'http://weir.example.com/builds/7' };

describe('github-pr get', () => {
  it('checks out the head, merges it with the base, or rebases it, and writes the PR facts', async () => {
    const github = await simulator();
    const number = await github.openPullRequest({ head: 'feature', title: 'Add feature', author: 'alice', commit: { files: { 'feature.txt': 'f' } } });
    const baseSha = await github.commitToBase({ files: { 'base.txt': 'b' } });
    const source = sourceFor(github);
    const [{ version }] = (await pr.check(await checkContext(), source)) as [{ version: PrVersion }];

    const checkout = await tempDir();
    await pr.get(testContext(), source, version, { integration_tool: 'checkout', list_changed_files: true }, checkout);
    expect(head(checkout)).toBe(version.commit);
    expect(existsSync(join(checkout, 'base.txt'))).toBe(false);
    expect(await facts(checkout, 'pr')).toBe(String(number));
    expect(await facts(checkout, 'head_sha')).toBe(version.commit);
    expect(await facts(checkout, 'base_sha')).toBe(baseSha);
    expect(await facts(checkout, 'base_name')).toBe('main');
    expect(await facts(checkout, 'head_name')).toBe('feature');
    expect(await facts(checkout, 'title')).toBe('Add feature');
    expect(await facts(checkout, 'author')).toBe('alice');
    expect(await facts(checkout, 'state')).toBe('open');
    expect(await facts(checkout, 'url')).toMatch(new RegExp(`/acme/app/pull/${number}$`));
    expect(await facts(checkout, 'changed_files')).toBe('feature.txt\n');
    expect(JSON.parse(await facts(checkout, 'version.json'))).toEqual(version);
    expect(JSON.parse(await facts(checkout, 'metadata.json'))).toContainEqual({ name: 'title', value: 'Add feature' });

    const merged = await tempDir();
    const got = await pr.get(testContext(), source, version, {}, merged);
    expect(got.version).toEqual(version);
    expect(parents(merged)).toEqual([version.commit, baseSha]);
    expect(existsSync(join(merged, 'base.txt')) && existsSync(join(merged, 'feature.txt'))).toBe(true);

    const rebased = await tempDir();
    await pr.get(testContext(), source, version, { integration_tool: 'rebase' }, rebased);
    expect(parents(rebased)).toEqual([baseSha]);
    expect(existsSync(join(rebased, 'feature.txt'))).toBe(true);
  });

  it('fetches a version the PR was force-pushed past, and says so when a merge conflicts', async () => {
    const github = await simulator();
    const number = await github.openPullRequest({ head: 'feature', commit: { files: { 'README.md': 'mine\n' } } });
    const source = sourceFor(github);
    const [{ version }] = (await pr.check(await checkContext(), source)) as [{ version: PrVersion }];
    await github.forcePush(number, { files: { 'other.txt': 'x' } });

    const dir = await tempDir();
    await pr.get(testContext(), source, version, { integration_tool: 'checkout' }, dir);
    expect(head(dir)).toBe(version.commit);

    await github.commitToBase({ files: { 'README.md': 'theirs\n' } });
    await expect(pr.get(testContext(), source, version, {}, await tempDir())).rejects.toMatchObject({ code: 'github-pr-conflict' });
  });
  it('with skip_download, writes the PR facts to .git/resource and clones nothing', async () => {
    const github = await simulator();
    const number = await github.openPullRequest({ head: 'feature', title: 'Add feature', author: 'alice', commit: { files: { 'feature.txt': 'f' } } });
    const baseSha = await github.commitToBase({ files: { 'base.txt': 'b' } });
    const source = sourceFor(github);
    const [{ version }] = (await pr.check(await checkContext(), source)) as [{ version: PrVersion }];

    const dir = await tempDir();
    const ctx = testContext();
    const got = await pr.get(ctx, source, version, { skip_download: true, list_changed_files: true }, dir);
    expect(got.version).toEqual(version);
    expect(await readdir(dir)).toEqual(['.git']);
    expect(await readdir(join(dir, '.git'))).toEqual(['resource']);
    expect((await readdir(join(dir, '.git', 'resource'))).sort()).toEqual(
      ['author', 'base_name', 'base_sha', 'changed_files', 'head_name', 'head_sha', 'metadata.json', 'pr', 'state', 'title', 'url', 'version.json'].sort(),
    );
    expect(await facts(dir, 'pr')).toBe(String(number));
    expect(await facts(dir, 'head_sha')).toBe(version.commit);
    expect(await facts(dir, 'base_sha')).toBe(baseSha);
    expect(await facts(dir, 'base_name')).toBe('main');
    expect(await facts(dir, 'head_name')).toBe('feature');
    expect(await facts(dir, 'title')).toBe('Add feature');
    expect(await facts(dir, 'author')).toBe('alice');
    expect(await facts(dir, 'state')).toBe('open');
    expect(await facts(dir, 'changed_files')).toBe('feature.txt\n');
    expect(JSON.parse(await facts(dir, 'version.json'))).toEqual(version);
    expect(JSON.parse(await facts(dir, 'metadata.json'))).toEqual(got.metadata);
    // This context has no check state behind it: which PRs are open is unknown, so there is no
    // list (an empty one would tell a watcher every PR is gone).
    expect(ctx.lines).toEqual([
      expect.stringMatching(/^open_pulls.json is not written: no check of this resource has been saved here yet/),
      expect.stringMatching(new RegExp(`^skipped downloading pull request #${number} at ${version.commit.slice(0, 7)}`)),
    ]);
  });

  it('writes open_pulls.json: the PRs open at the latest check, at the heads it reported, whichever version is fetched', async () => {
    const github = await simulator();
    await github.openPullRequest({ head: 'one' });
    const two = await github.openPullRequest({ head: 'two' });
    const three = await github.openPullRequest({ head: 'three' });
    const checks = await checkContext();
    const source = sourceFor(github);
    const first = (await pr.check(checks, source)).map(({ version }) => version) as [PrVersion, PrVersion, PrVersion];
    await github.merge(two);
    const second = (await pr.check(checks, source, first[2])).map(({ version }) => version);
    expect(second.at(-1)).toEqual({ ...first[1], state: 'merged' });
    const gets = testContext({ cacheDir: checks.cacheDir });

    // The merged PR's first version, fetched in full: the list is the latest check's, not this version's.
    const full = await tempDir();
    await pr.get(gets, source, first[1], { integration_tool: 'checkout' }, full);
    expect(head(full)).toBe(first[1].commit);
    expect(await openPulls(full)).toEqual([first[0], first[2]]);

    const pushed = await github.push(three);
    const third = (await pr.check(checks, source, second.at(-1))).map(({ version }) => version);
    expect(third.at(-1)).toMatchObject({ pr: String(three), commit: pushed, state: 'open' });
    const light = await tempDir();
    await pr.get(gets, source, first[0], { skip_download: true }, light);
    expect(await openPulls(light)).toEqual([first[0], third.at(-1)]);
  });
});

describe('github-pr put', () => {
  it('sets a commit status linking to the build, and replaces weir\'s earlier comments', async () => {
    const github = await simulator();
    const number = await github.openPullRequest({ head: 'feature' });
    const source = sourceFor(github);
    const [{ version }] = (await pr.check(await checkContext(), source)) as [{ version: PrVersion }];
    const workdir = await tempDir();
    await mkdir(join(workdir, 'pr'));
    await pr.get(testContext(), source, version, { integration_tool: 'checkout' }, join(workdir, 'pr'));
    await mkdir(join(workdir, 'report'));
    await writeFile(join(workdir, 'report', 'comment.md'), 'All tests passed.\n');
    const ctx = testContext({ build });

    const put = await pr.put(ctx, source, { path: 'pr', status: 'PENDING', comment: 'Building…' }, workdir);
    expect(put.version).toEqual(version);
    await pr.put(ctx, source, { path: 'pr', status: 'success', context: 'unit', description: 'unit tests', comment_file: 'report/comment.md', delete_previous_comments: true }, workdir);

    expect(github.statusesOf(version.commit).map(({ state, context, targetUrl, description }) => ({ state, context, targetUrl, description }))).toEqual([
      { state: 'pending', context: 'weir/status', targetUrl: build.url, description: null },
      { state: 'success', context: 'weir/unit', targetUrl: build.url, description: 'unit tests' },
    ]);
    expect(github.commentsOn(number).map((comment) => comment.body)).toEqual([`All tests passed.\n\n${COMMENT_MARKER}`]);
  });

  it('stops listing comments at a next-page link to another server, before the token goes there', async () => {
    const github = await simulator();
    await github.openPullRequest({ head: 'feature' });
    const foreign = await httpServer(undefined);
    const proxy = await httpServer(github.url, (path, forwarded) =>
      path.includes('/comments?') ? { ...forwarded, headers: { ...forwarded.headers, link: `<${foreign.url}/api/v3/repositories/1/issues/1/comments?page=2>; rel="next"` } } : forwarded,
    );
    const source = sourceFor(github, { v3_endpoint: `${proxy.url}/api/v3` });
    const [{ version }] = (await pr.check(await checkContext(), source)) as [{ version: PrVersion }];
    const workdir = await tempDir();
    // What a get leaves for put, written directly: the listing of comments is what is under test.
    await mkdir(join(workdir, 'pr', '.git', 'resource'), { recursive: true });
    await writeFile(join(workdir, 'pr', '.git', 'resource', 'version.json'), JSON.stringify(version));
    await expect(pr.put(testContext(), source, { path: 'pr', comment: 'again', delete_previous_comments: true }, workdir)).rejects.toMatchObject({ code: 'github-pagination-foreign' });
    expect(foreign.received).toEqual([]);
  });

  it('refuses a path that is not a get of this resource', async () => {
    const github = await simulator();
    const workdir = await tempDir();
    await expect(pr.put(testContext(), sourceFor(github), { path: 'missing', status: 'success' }, workdir)).rejects.toMatchObject({ code: 'github-pr-artifact-unreadable' });
    await expect(pr.put(testContext(), sourceFor(github), { path: '../elsewhere', status: 'success' }, workdir)).rejects.toMatchObject({ code: 'github-pr-path-outside' });
  });

  it('posts no comment from a comment_file that a task made a symlink to a file outside its artifact', async () => {
    const github = await simulator();
    const number = await github.openPullRequest({ head: 'feature' });
    const source = sourceFor(github);
    const [{ version }] = (await pr.check(await checkContext(), source)) as [{ version: PrVersion }];
    const workdir = await tempDir();
    await mkdir(join(workdir, 'pr', '.git', 'resource'), { recursive: true });
    await writeFile(join(workdir, 'pr', '.git', 'resource', 'version.json'), JSON.stringify(version));
    const secret = join(await tempDir(), 'token');
    await writeFile(secret, 'engine-api-token');
    await mkdir(join(workdir, 'report'));
    await symlink(secret, join(workdir, 'report', 'comment.md'));
    await expect(pr.put(testContext(), source, { path: 'pr', comment_file: 'report/comment.md' }, workdir)).rejects.toMatchObject({ code: 'github-pr-path-outside' });
    expect(github.commentsOn(number)).toEqual([]);
  });
});
