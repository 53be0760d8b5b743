import { describe, expect, it } from 'vitest';
import { githubPrResourceType as pr, type PrVersion } from '../../src/github-pr/index.js';
import { ResourceError } from '../../src/interface.js';
import { at, brief, checkContext, httpServer, simulator, sourceFor } from './harness.js';

const check = pr.check.bind(pr);

describe('github-pr check', () => {
  it('reports every open PR at first, then each new head and the end of each PR, with `from` first', async () => {
    const github = await simulator();
    const one = await github.openPullRequest({ head: 'one' });
    const two = await github.openPullRequest({ head: 'two' });
    const ctx = await checkContext();
    const source = sourceFor(github);

    const first = await check(ctx, source);
    const [v1, v2] = first.map(({ version }) => version) as [PrVersion, PrVersion];
    expect(brief(first)).toEqual([at(one, v1.commit), at(two, v2.commit)]);
    expect(v1.committed).toMatch(/^\d{4}-\d\d-\d\dT/);

    const pushed = await github.push(one);
    await github.merge(two);
    expect(brief(await check(ctx, source, v2))).toEqual([at(two, v2.commit), at(one, pushed), at(two, v2.commit, 'merged')]);

    // Nothing new: only `from`.
    const merged = { ...v2, state: 'merged' as const };
    expect(brief(await check(ctx, source, merged))).toEqual([at(two, v2.commit, 'merged')]);

    github.close(one);
    expect(brief(await check(ctx, source, merged))).toEqual([at(two, v2.commit, 'merged'), at(one, pushed, 'closed')]);
  });

  it.each([
    { name: 'states [open]', states: undefined },
    { name: 'states [open, closed]', states: ['open', 'closed'] as Array<'open' | 'closed'> },
  ])('reports a PR reopened at the head it was closed at as a new open period, and its pushes in that period ($name)', async ({ states }) => {
    const github = await simulator();
    const one = await github.openPullRequest({ head: 'one' });
    const ctx = await checkContext();
    const source = sourceFor(github, { ...(states && { states }) });
    const [{ version: first }] = (await check(ctx, source)) as [{ version: PrVersion }];
    expect(first.opened).toBe('1');

    github.close(one);
    const end = (await check(ctx, source, first)).at(-1)!.version;
    expect(end).toEqual({ ...first, state: 'closed' });

    github.reopen(one);
    const again = (await check(ctx, source, end)).at(-1)!.version;
    expect(again).toEqual({ ...first, opened: '2' });

    const pushed = await github.push(one);
    const afterPush = await check(ctx, source, again);
    expect(brief(afterPush)).toEqual([at(one, first.commit), at(one, pushed)]);
    expect(afterPush.at(-1)!.version.opened).toBe('2');

    github.close(one);
    const secondEnd = (await check(ctx, source, afterPush.at(-1)!.version)).at(-1)!.version;
    expect(secondEnd).toEqual({ ...afterPush.at(-1)!.version, state: 'closed' });
  });

  it('misses no commit when two PRs get commits between checks, or a force push brings an old commit date', async () => {
    const github = await simulator();
    const one = await github.openPullRequest({ head: 'one' });
    const two = await github.openPullRequest({ head: 'two' });
    const ctx = await checkContext();
    const source = sourceFor(github);
    const last = (await check(ctx, source)).at(-1)!.version;

    const a = await github.push(two, { date: new Date('2024-01-02T00:00:00Z') });
    const b = await github.push(one, { date: new Date('2024-01-01T00:00:00Z') });
    const both = await check(ctx, source, last);
    expect(brief(both)).toEqual([at(two, last.commit), at(one, b), at(two, a)]);

    // Rewritten history with a date years before anything seen: a date cursor would skip it.
    const old = await github.forcePush(one, { date: new Date('2001-01-01T00:00:00Z'), message: 'rewritten' });
    const after = await check(ctx, source, both.at(-1)!.version);
    expect(brief(after)).toEqual([at(two, a), at(one, old)]);
    expect(after[1]!.version.committed).toBe('2001-01-01T00:00:00Z');
  });

  it('applies base_branch, labels, disable_forks and ignore_drafts, and reports a PR once it starts to match', async () => {
    const github = await simulator();
    await github.commitToBase({}, 'main');
    await github.git.commit('release', {}, await github.git.revParse('refs/heads/main', 'bare'));
    const plain = await github.openPullRequest({ head: 'plain' });
    const labelled = await github.openPullRequest({ head: 'labelled', labels: ['ok-to-test'] });
    const forked = await github.openPullRequest({ head: 'forked', labels: ['ok-to-test'], fork: 'stranger' });
    const draft = await github.openPullRequest({ head: 'draft', labels: ['ok-to-test'], draft: true });
    const release = await github.openPullRequest({ head: 'to-release', base: 'release', labels: ['ok-to-test'] });
    const ctx = await checkContext();
    const source = sourceFor(github, { base_branch: 'main', labels: ['ok-to-test'], disable_forks: true, ignore_drafts: true });

    expect((await check(ctx, source)).map(({ version }) => Number(version.pr))).toEqual([labelled]);
    github.setDraft(draft, false);
    github.setLabels(plain, ['ok-to-test']);
    const later = await check(ctx, source);
    expect(later.map(({ version }) => Number(version.pr))).toEqual([labelled, plain, draft]);
    expect(later.map(({ version }) => Number(version.pr))).not.toContain(forked);
    expect(later.map(({ version }) => Number(version.pr))).not.toContain(release);
  });

  it('filters on changed files, asking for them only for heads it has not judged yet', async () => {
    const github = await simulator();
    const docs = await github.openPullRequest({ head: 'docs', commit: { files: { 'docs/guide.md': 'guide' } } });
    const code = await github.openPullRequest({ head: 'code', commit: { files: { 'src/app.ts': 'app', 'docs/app.md': 'doc' } } });
    const ctx = await checkContext();
    const source = sourceFor(github, { paths: ['src/**', 'package.json'], ignore_paths: ['docs/'] });

    expect((await check(ctx, source)).map(({ version }) => Number(version.pr))).toEqual([code]);
    const before = github.requests.length;
    await check(ctx, source);
    expect(github.requests.slice(before).filter((request) => request.path.includes('/files'))).toEqual([]);

    await github.push(docs, { files: { 'package.json': '{}' } });
    const after = await check(ctx, source);
    expect(after.map(({ version }) => Number(version.pr))).toEqual([code, docs]);
    expect(github.requests.slice(before).filter((request) => request.path.includes('/files')).map((request) => request.path)).toEqual([
      `/repos/acme/app/pulls/${docs}/files?per_page=100`,
    ]);
  });

  it('waits for required_review_approvals, and leaves out [ci skip] heads unless disable_ci_skip', async () => {
    const github = await simulator();
    const reviewed = await github.openPullRequest({ head: 'reviewed' });
    const skipped = await github.openPullRequest({ head: 'skipped', commit: { message: 'typo [ci skip]' } });
    const ctx = await checkContext();

    expect(await check(ctx, sourceFor(github, { required_review_approvals: 2 }))).toEqual([]);
    github.review(reviewed, 'alice', 'APPROVED');
    github.review(reviewed, 'bob', 'CHANGES_REQUESTED');
    expect(await check(ctx, sourceFor(github, { required_review_approvals: 2 }))).toEqual([]);
    github.review(reviewed, 'bob', 'APPROVED');
    expect((await check(ctx, sourceFor(github, { required_review_approvals: 2 }))).map(({ version }) => Number(version.pr))).toEqual([reviewed]);

    const plain = await checkContext();
    expect((await check(plain, sourceFor(github))).map(({ version }) => Number(version.pr))).toEqual([reviewed]);
    const all = await checkContext();
    expect((await check(all, sourceFor(github, { disable_ci_skip: true }))).map(({ version }) => Number(version.pr))).toEqual([reviewed, skipped]);
  });

  it('reports PRs already merged or closed when states asks for them', async () => {
    const github = await simulator();
    const merged = await github.openPullRequest({ head: 'merged' });
    await github.merge(merged);
    const closed = await github.openPullRequest({ head: 'closed' });
    github.close(closed);
    const open = await github.openPullRequest({ head: 'open' });
    const versions = await check(await checkContext(), sourceFor(github, { states: ['OPEN', 'MERGED'] }));
    expect(versions.map(({ version }) => `${version.pr}:${version.state}`)).toEqual([`${merged}:merged`, `${open}:open`]);
  });

  // 50 pull requests are 50 real git commits first: minutes on a loaded two-core machine.
  it('costs one free request per check once nothing changes, however many PRs are open', async () => {
    const github = await simulator();
    for (let i = 0; i < 50; i++) await github.openPullRequest({ head: `feature-${i}` });
    const ctx = await checkContext();
    const source = sourceFor(github);

    let since = github.requests.length;
    expect(await check(ctx, source)).toHaveLength(50);
    const first = github.costSince(since);
    since = github.requests.length;
    const steady = await check(ctx, source, (await check(ctx, source)).at(-1)!.version);
    expect(steady).toHaveLength(1);
    const second = github.costSince(since);
    // One listing page and one commit per PR, then conditional listings answered 304.
    expect(first).toEqual({ requests: 51, notModified: 0, charged: 51 });
    expect(second).toEqual({ requests: 2, notModified: 2, charged: 0 });
    expect(ctx.lines.at(-1)).toMatch(/no new versions from 50 pull requests; 1 GitHub API requests \(1 not modified\), \d+ left in the rate limit/);
    // A 304 is the answer a conditional request hopes for: a debug line, never a warning or an error.
    const notModified = ctx.logged.filter((entry) => (entry.fields as { status?: number }).status === 304);
    expect(notModified.length).toBeGreaterThan(0);
    expect(notModified.every((entry) => entry.level === 'debug')).toBe(true);
    expect(ctx.logged.filter((entry) => entry.level === 'warn' || entry.level === 'error')).toEqual([]);
  }, 180_000);

  it('pages through the listing with Link headers', async () => {
    const github = await simulator();
    const shared = await github.git.commit('shared', {}, await github.git.revParse('refs/heads/main', 'bare'));
    for (let i = 0; i < 102; i++) await github.openPullRequest({ head: `feature-${i}`, at: shared });
    const versions = await check(await checkContext(), sourceFor(github, { disable_ci_skip: true }));
    expect(versions).toHaveLength(102);
    expect(github.requests.filter((request) => request.path.startsWith('/repos/acme/app/pulls?')).map((request) => new URL(request.path, 'http://x').searchParams.get('page'))).toEqual([null, '2']);
  });

  it('follows no next-page link outside the API, so the token goes nowhere else', async () => {
    const github = await simulator();
    await github.openPullRequest({ head: 'one' });
    const foreign = await httpServer(undefined);
    for (const next of [`${foreign.url}/api/v3/repos/acme/app/pulls?page=2`, 'API/api/v3evil/repos/acme/app/pulls?page=2']) {
      const proxy = await httpServer(github.url, (path, forwarded) =>
        path.startsWith('/api/v3/repos/acme/app/pulls?') ? { ...forwarded, headers: { ...forwarded.headers, link: `<${next.replace('API', github.url)}>; rel="next"` } } : forwarded,
      );
      const error = await check(await checkContext(), sourceFor(github, { v3_endpoint: `${proxy.url}/api/v3` })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'github-pagination-foreign', message: expect.stringContaining('the next page is at') });
    }
    expect(foreign.received).toEqual([]);
    expect(github.requests.filter((request) => request.path.includes('page=2'))).toEqual([]);
  });

  it('reports a remembered PR that is now 404 as closed, once, and stops asking for it', async () => {
    const github = await simulator();
    const one = await github.openPullRequest({ head: 'one' });
    const proxy = await httpServer(github.url, (path, forwarded) => (path === `/api/v3/repos/acme/app/pulls/${one}` ? { ...forwarded, status: 404, body: '{"message":"Not Found"}' } : forwarded));
    const source = sourceFor(github, { v3_endpoint: `${proxy.url}/api/v3` });
    const ctx = await checkContext();
    const [{ version: opened }] = (await check(ctx, source)) as [{ version: PrVersion }];

    github.close(one);
    expect(brief(await check(ctx, source, opened))).toEqual([at(one, opened.commit), at(one, opened.commit, 'closed')]);
    expect(ctx.lines).toContainEqual(expect.stringContaining(`#${one} is gone (404)`));
    const asked = proxy.received.length;
    expect(brief(await check(ctx, source, { ...opened, state: 'closed' }))).toEqual([at(one, opened.commit, 'closed')]);
    expect(proxy.received.slice(asked).map((request) => request.path)).toEqual([expect.stringMatching(/\/pulls\?/)]);
  });

  it('reports a remembered PR retargeted away from base_branch as closed, once, and forgets it', async () => {
    const github = await simulator();
    const one = await github.openPullRequest({ head: 'one' });
    let retargeted = false;
    const proxy = await httpServer(github.url, (path, forwarded) => {
      if (!retargeted || forwarded.status !== 200) return forwarded;
      // As GitHub answers once PR one's base is `release`: gone from the listing for `main`, and its own base changed.
      if (path.startsWith('/api/v3/repos/acme/app/pulls?')) return { ...forwarded, body: JSON.stringify((JSON.parse(forwarded.body) as Array<{ number: number }>).filter((pull) => pull.number !== one)) };
      if (path === `/api/v3/repos/acme/app/pulls/${one}`) {
        const pull = JSON.parse(forwarded.body) as { base: { ref: string } };
        return { ...forwarded, body: JSON.stringify({ ...pull, base: { ...pull.base, ref: 'release' } }) };
      }
      return forwarded;
    });
    const source = sourceFor(github, { v3_endpoint: `${proxy.url}/api/v3`, base_branch: 'main' });
    const ctx = await checkContext();
    const [{ version: opened }] = (await check(ctx, source)) as [{ version: PrVersion }];

    retargeted = true;
    // A new PR changes the listing, so GitHub answers it afresh rather than 304.
    const two = await github.openPullRequest({ head: 'two' });
    const after = await check(ctx, source, opened);
    expect(brief(after)).toEqual([at(one, opened.commit), at(one, opened.commit, 'closed'), at(two, after.at(-1)!.version.commit)]);
    expect(ctx.lines).toContainEqual(expect.stringContaining(`#${one} now targets release, not main`));
    const asked = proxy.received.length;
    await check(ctx, source, after.at(-1)!.version);
    expect(proxy.received.slice(asked).filter((request) => request.path.endsWith(`/pulls/${one}`))).toEqual([]);
  });

  it('backs off a secondary rate limit and carries on', async () => {
    const github = await simulator();
    const one = await github.openPullRequest({ head: 'one' });
    github.secondaryRateLimit(1);
    const ctx = await checkContext();
    expect((await check(ctx, sourceFor(github))).map(({ version }) => Number(version.pr))).toEqual([one]);
    expect(github.requests[0]!.status).toBe(403);
    expect(ctx.lines.some((line) => line.includes('secondary rate limit'))).toBe(true);
  });

  it('fails with a code and a hint for a bad token or an exhausted rate limit, without showing the token', async () => {
    const github = await simulator();
    const bad = await check(await checkContext(), sourceFor(github, { access_token: 'ghp_wrongToken' })).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ResourceError);
    expect(bad).toMatchObject({ code: 'github-unauthorized' });
    expect(String((bad as Error).message)).not.toContain('ghp_wrongToken');

    github.rateLimit = { ...github.rateLimit, remaining: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
    await expect(check(await checkContext(), sourceFor(github))).rejects.toMatchObject({ code: 'github-rate-limited' });
  });
});
