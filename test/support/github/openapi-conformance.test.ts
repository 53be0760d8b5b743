import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubSimulator } from './index.js';
import { OpenApiCheck } from './openapi-check.js';

/**
 * The simulator is only worth testing against if it answers as GitHub does: every answer here is
 * checked against GitHub's published OpenAPI description, so a shape the simulator made kinder
 * than GitHub (a missing required field, a wrong type, a header GitHub sends and it does not)
 * fails here instead of hiding a bug in the github-pr resource.
 */
describe('the GitHub simulator conforms to GitHub’s OpenAPI description', () => {
  let github: GitHubSimulator;
  let check: OpenApiCheck;
  const pulls: Record<'feature' | 'fork' | 'merged' | 'closed' | 'reopened', number> = { feature: 0, fork: 0, merged: 0, closed: 0, reopened: 0 };
  let mergeSha = '';

  interface Answer {
    status: number;
    headers: Headers;
    json: unknown;
  }

  async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; root?: string; token?: string } = {}): Promise<Answer> {
    const response = await fetch(`${options.root ?? github.apiUrl}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.token ?? github.token}`,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const bare = new URL(response.url).pathname.replace(/^\/api\/v3(?=\/)/, '');
    expect.soft(check.problems({ method, path: bare, status: response.status, headers: response.headers, text }), `${method} ${path} → ${response.status}`).toEqual([]);
    return { status: response.status, headers: response.headers, json: text === '' ? undefined : JSON.parse(text) };
  }

  /** Follows `rel="next"` from `path` to the end, as a client does; returns every item. */
  async function allPages(path: string): Promise<{ items: unknown[]; pages: number }> {
    const items: unknown[] = [];
    let pages = 0;
    let next: string | undefined = path;
    while (next !== undefined) {
      const answer = await call('GET', next);
      expect(answer.status).toBe(200);
      items.push(...(answer.json as unknown[]));
      pages += 1;
      const link = /<([^>]+)>; rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
      next = link === undefined ? undefined : link.slice(github.apiUrl.length);
    }
    return { items, pages };
  }

  const repo = (): string => `/repos/${github.repository}`;

  beforeAll(async () => {
    check = OpenApiCheck.load();
    github = await GitHubSimulator.start();
    // A rename, an addition, a removal and a modification, so every diff-entry status and previous_filename appear.
    pulls.feature = await github.openPullRequest({
      head: 'feature',
      labels: ['bug'],
      commit: { files: { 'README.md': null, 'docs/README.md': '# app\n', 'src/app.ts': 'export {};\n' }, message: 'move the readme\n\nand start the app' },
    });
    await github.push(pulls.feature, { files: { 'src/app.ts': 'export const app = 1;\n' } });
    github.setLabels(pulls.feature, ['bug', 'needs review']);
    github.setTitle(pulls.feature, 'Move the readme');
    github.review(pulls.feature, 'carol', 'CHANGES_REQUESTED');
    github.review(pulls.feature, 'carol', 'APPROVED');
    github.review(pulls.feature, 'dave', 'COMMENTED');

    pulls.fork = await github.openPullRequest({ head: 'fork-work', fork: 'alice', draft: true });
    await github.forcePush(pulls.fork);
    github.setDraft(pulls.fork, false);

    pulls.merged = await github.openPullRequest({ head: 'to-merge' });
    github.review(pulls.merged, 'carol', 'APPROVED');
    mergeSha = await github.merge(pulls.merged);
    await github.commitToBase();

    pulls.closed = await github.openPullRequest({ head: 'abandoned' });
    github.close(pulls.closed);
    pulls.reopened = await github.openPullRequest({ head: 'second-try' });
    github.close(pulls.reopened);
    github.reopen(pulls.reopened);

    const at = await github.git.revParse('refs/heads/main', 'bare');
    for (const head of ['more-1', 'more-2']) await github.openPullRequest({ head, at });
    // GitHub's description is 10 MB of JSON and every pull request is real git commits.
  }, 120_000);

  afterAll(async () => {
    await github?.stop();
  });

  it('lists pull requests page by page with a well-formed Link, and answers an unchanged list 304', async () => {
    const { items, pages } = await allPages(`${repo()}/pulls?state=all&per_page=2`);
    expect(pages).toBe(4);
    expect((items as Array<{ number: number }>).map((pull) => pull.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const open = await call('GET', `${repo()}/pulls?sort=updated&direction=desc`);
    expect((open.json as unknown[]).length).toBe(5);
    expect(open.headers.get('link')).toBeNull();
    const again = await call('GET', `${repo()}/pulls?sort=updated&direction=desc`, { headers: { 'if-none-match': open.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('gets open, fork, merged and closed pull requests, 304 when unchanged and 404 for one that does not exist', async () => {
    for (const number of Object.values(pulls)) expect((await call('GET', `${repo()}/pulls/${number}`)).status).toBe(200);
    const first = await call('GET', `${repo()}/pulls/${pulls.feature}`);
    expect((await call('GET', `${repo()}/pulls/${pulls.feature}`, { headers: { 'if-none-match': `W/${first.headers.get('etag')}` } })).status).toBe(304);
    expect((await call('GET', `${repo()}/pulls/999`)).status).toBe(404);
    // Served at the root too, as on github.com.
    expect((await call('GET', `${repo()}/pulls/${pulls.merged}`, { root: github.url })).status).toBe(200);
  });

  it('gets commits, a merge commit among them, and 404 for an unknown sha', async () => {
    const pull = (await call('GET', `${repo()}/pulls/${pulls.feature}`)).json as { head: { sha: string } };
    expect((await call('GET', `${repo()}/git/commits/${pull.head.sha}`)).status).toBe(200);
    const merge = await call('GET', `${repo()}/git/commits/${mergeSha}`);
    expect((merge.json as { parents: unknown[] }).parents).toHaveLength(2);
    expect((await call('GET', `${repo()}/git/commits/${'0'.repeat(40)}`)).status).toBe(404);
  });

  it('lists a pull request’s files and reviews page by page', async () => {
    const files = await allPages(`${repo()}/pulls/${pulls.feature}/files?per_page=1`);
    expect(new Set((files.items as Array<{ status: string }>).map((file) => file.status))).toEqual(new Set(['renamed', 'added']));
    expect((await allPages(`${repo()}/pulls/${pulls.merged}/files`)).items).toHaveLength(1);
    const reviews = await allPages(`${repo()}/pulls/${pulls.feature}/reviews?per_page=2`);
    expect(reviews.pages).toBe(2);
    expect(reviews.items).toHaveLength(3);
    expect((await call('GET', `${repo()}/pulls/999/reviews`)).status).toBe(404);
    expect((await call('GET', `${repo()}/pulls/999/files`)).status).toBe(404);
  });

  it('creates commit statuses, and refuses a bad state or an unknown sha with 422', async () => {
    const pull = (await call('GET', `${repo()}/pulls/${pulls.fork}`)).json as { head: { sha: string } };
    const created = await call('POST', `${repo()}/statuses/${pull.head.sha}`, {
      body: { state: 'pending', context: 'weir/build', description: 'building', target_url: 'https://ci.example.com/builds/1' },
    });
    expect(created.status).toBe(201);
    expect((await call('POST', `${repo()}/statuses/${pull.head.sha}`, { body: { state: 'success' } })).status).toBe(201);
    expect((await call('POST', `${repo()}/statuses/${pull.head.sha}`, { body: { state: 'done' } })).status).toBe(422);
    expect((await call('POST', `${repo()}/statuses/${'0'.repeat(40)}`, { body: { state: 'success' } })).status).toBe(422);
    expect(github.statusesOf(pull.head.sha)).toHaveLength(2);
  });

  it('creates, lists and deletes issue comments, with 422 for an empty one and 404 for unknown ones', async () => {
    const ids: number[] = [];
    for (const body of ['deployed to http://localhost:8001', 'tests passed', 'torn down']) {
      const created = await call('POST', `${repo()}/issues/${pulls.feature}/comments`, { body: { body } });
      expect(created.status).toBe(201);
      ids.push((created.json as { id: number }).id);
    }
    expect((await allPages(`${repo()}/issues/${pulls.feature}/comments?per_page=2`)).items).toHaveLength(3);
    expect((await call('DELETE', `${repo()}/issues/comments/${ids[0]}`)).status).toBe(204);
    expect((await call('DELETE', `${repo()}/issues/comments/${ids[0]}`)).status).toBe(404);
    expect((await call('POST', `${repo()}/issues/${pulls.feature}/comments`, { body: { body: '' } })).status).toBe(422);
    expect((await call('POST', `${repo()}/issues/999/comments`, { body: { body: 'hello' } })).status).toBe(404);
    expect((await call('GET', `${repo()}/issues/999/comments`)).status).toBe(404);
    expect((await call('GET', `${repo()}/pulls/${pulls.feature}`)).json).toMatchObject({ comments: 2 });
  });

  it('answers the rate limit, bad credentials, both rate limits and unknown routes as GitHub does', async () => {
    const before = github.rateLimit.remaining;
    const limits = await call('GET', '/rate_limit');
    expect(limits.status).toBe(200);
    expect(github.rateLimit.remaining).toBe(before);
    expect((await call('GET', `${repo()}/pulls`, { token: 'ghp_wrong' })).status).toBe(401);
    github.secondaryRateLimit();
    const secondary = await call('GET', `${repo()}/pulls`);
    expect(secondary.status).toBe(403);
    expect(secondary.headers.get('retry-after')).toBe('1');
    github.rateLimit.remaining = 0;
    try {
      expect((await call('GET', `${repo()}/pulls`)).status).toBe(403);
    } finally {
      github.rateLimit.remaining = before;
    }
    expect((await call('GET', '/repos/someone/else/pulls')).status).toBe(404);
    expect((await call('GET', `${repo()}/pulls/${pulls.feature}/commits`)).status).toBe(404);
  });

  it('answered every route the simulator serves, with each status it can give', () => {
    // A route added to GitHubSimulator.handle() belongs in this list and in a test above.
    expect([...check.seen].sort()).toEqual(
      [
        'git/get-commit 200',
        'git/get-commit 404',
        'issues/create-comment 201',
        'issues/create-comment 404',
        'issues/create-comment 422',
        'issues/delete-comment 204',
        'issues/delete-comment 404',
        'issues/list-comments 200',
        'issues/list-comments 404',
        'pulls/get 200',
        'pulls/get 304',
        'pulls/get 404',
        'pulls/list 200',
        'pulls/list 304',
        'pulls/list 401',
        'pulls/list 403',
        'pulls/list 404',
        'pulls/list-commits 404',
        'pulls/list-files 200',
        'pulls/list-files 404',
        'pulls/list-reviews 200',
        'pulls/list-reviews 404',
        'rate-limit/get 200',
        'repos/create-commit-status 201',
        'repos/create-commit-status 422',
      ].sort(),
    );
  });
});
