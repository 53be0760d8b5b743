import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHost, type CommitSpec } from './git-host.js';
import { etagOf, notModified, paginate, rateLimitHeaders, readBody, sendJson, type RateLimit } from './http-answers.js';
import { Shapes, type CommentModel, type PullModel, type RepoModel, type ReviewModel, type StatusModel } from './shapes.js';

export type { CommitSpec } from './git-host.js';

/** One request the simulator answered, for tests that count what a check costs. */
export interface RecordedRequest {
  method: string;
  /** Path and query, without the `/api/v3` prefix. */
  path: string;
  status: number;
}

export interface OpenPullOptions {
  /** The head branch; made from `base` with one commit when it does not exist. */
  head: string;
  base?: string;
  title?: string;
  author?: string;
  draft?: boolean;
  labels?: string[];
  /** The head lives in a fork owned by this user. */
  fork?: string;
  /** The first commit of a new head branch. */
  commit?: CommitSpec;
  /** Open the head branch at this existing commit instead of a new one (cheap, for tests that need many PRs). */
  at?: string;
}

/**
 * A GitHub REST API for tests: the endpoints the github-pr resource uses, over real HTTP, with
 * GitHub's response shapes, `Link` pagination, ETags (a matching `If-None-Match` gets a 304 that
 * costs no rate limit), `x-ratelimit-*` headers and an optional secondary rate limit. Tests
 * change the world through its methods (open, push, label, review, merge, close) and the git
 * side is a real bare repository with `refs/pull/N/head`.
 *
 * Serves under `/` and under `/api/v3` (GitHub Enterprise's prefix), so `v3_endpoint` is tested.
 */
export class GitHubSimulator {
  readonly token = 'ghp_simulatorToken0123456789';
  /** The login the token belongs to; statuses and comments are made by it. */
  readonly viewer = 'weir-bot';
  readonly requests: RecordedRequest[] = [];
  readonly statuses: StatusModel[] = [];
  readonly comments: CommentModel[] = [];
  rateLimit: RateLimit = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 };

  private readonly pulls = new Map<number, PullModel>();
  private readonly reviews = new Map<number, ReviewModel[]>();
  private readonly forks = new Map<string, RepoModel>();
  private nextId = 1000;
  private secondaryLimits = 0;
  private readonly shapes: Shapes;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly git: GitHost,
    readonly repo: RepoModel,
  ) {
    this.shapes = new Shapes(`${url}/api/v3`);
  }

  static async start(options: { owner?: string; name?: string; defaultBranch?: string } = {}): Promise<GitHubSimulator> {
    const defaultBranch = options.defaultBranch ?? 'main';
    const git = await GitHost.create(defaultBranch);
    let simulator: GitHubSimulator | undefined;
    const server = createServer((request, response) => {
      simulator!.handle(request, response).catch((error: Error) => sendJson(response, 500, { message: error.message }));
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const repo: RepoModel = { owner: options.owner ?? 'acme', name: options.name ?? 'app', id: 4242, defaultBranch, cloneUrl: `file://${git.bare}` };
    simulator = new GitHubSimulator(server, url, git, repo);
    return simulator;
  }

  /** The `v3_endpoint` to configure: GitHub Enterprise's layout. */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  get repository(): string {
    return `${this.repo.owner}/${this.repo.name}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.git.remove();
  }

  /** The next `count` API requests get a 403 secondary rate limit with `retry-after: 1`. */
  secondaryRateLimit(count = 1): void {
    this.secondaryLimits = count;
  }

  async openPullRequest(options: OpenPullOptions): Promise<number> {
    const base = options.base ?? this.repo.defaultBranch;
    const baseSha = await this.git.revParse(`refs/heads/${base}`, 'bare');
    const number = this.pulls.size + 1;
    let headSha = options.at;
    if (headSha === undefined) headSha = await this.git.commit(options.head, options.commit ?? { message: `work on ${options.head}` }, baseSha);
    else await this.git.setRef(`refs/heads/${options.head}`, headSha);
    const now = new Date().toISOString();
    const headRepo = options.fork === undefined ? this.repo : this.forkOf(options.fork);
    this.pulls.set(number, {
      number,
      id: this.nextId++,
      title: options.title ?? `Change ${options.head}`,
      body: null,
      author: options.author ?? options.fork ?? 'dev',
      state: 'open',
      draft: options.draft ?? false,
      labels: [...(options.labels ?? [])],
      baseRef: base,
      baseSha,
      headRef: options.head,
      headSha,
      headRepo,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      mergedAt: null,
      mergeCommitSha: null,
    });
    await this.git.setRef(`refs/pull/${number}/head`, headSha);
    return number;
  }

  /** A new commit on the PR's head branch; returns its sha. */
  async push(number: number, spec: CommitSpec = {}): Promise<string> {
    const pull = this.pull(number);
    return this.moveHead(pull, await this.git.commit(pull.headRef, spec));
  }

  /** Replaces the PR's head with one commit on the base (a rewritten history); returns its sha. */
  async forcePush(number: number, spec: CommitSpec = {}): Promise<string> {
    const pull = this.pull(number);
    return this.moveHead(pull, await this.git.forcePush(pull.headRef, pull.baseSha, spec));
  }

  /** A commit on a base branch (what other merged work does). */
  async commitToBase(spec: CommitSpec = {}, branch = this.repo.defaultBranch): Promise<string> {
    const sha = await this.git.commit(branch, spec);
    for (const pull of this.pulls.values()) if (pull.baseRef === branch && pull.state === 'open') pull.baseSha = sha;
    return sha;
  }

  setLabels(number: number, labels: string[]): void {
    this.touch(this.pull(number)).labels = [...labels];
  }

  setDraft(number: number, draft: boolean): void {
    this.touch(this.pull(number)).draft = draft;
  }

  setTitle(number: number, title: string): void {
    this.touch(this.pull(number)).title = title;
  }

  review(number: number, user: string, state: ReviewModel['state']): void {
    const pull = this.pull(number);
    const list = this.reviews.get(number) ?? [];
    list.push({ id: this.nextId++, user, state, commitId: pull.headSha, submittedAt: new Date().toISOString() });
    this.reviews.set(number, list);
  }

  async merge(number: number): Promise<string> {
    const pull = this.touch(this.pull(number));
    const sha = await this.git.merge(pull.baseRef, pull.headSha, `Merge pull request #${number} from ${pull.headRepo.owner}/${pull.headRef}`);
    pull.state = 'closed';
    pull.closedAt = pull.updatedAt;
    pull.mergedAt = pull.updatedAt;
    pull.mergeCommitSha = sha;
    return sha;
  }

  close(number: number): void {
    const pull = this.touch(this.pull(number));
    pull.state = 'closed';
    pull.closedAt = pull.updatedAt;
  }

  reopen(number: number): void {
    const pull = this.touch(this.pull(number));
    pull.state = 'open';
    pull.closedAt = null;
  }

  /** The status contexts set on `sha`, newest last. */
  statusesOf(sha: string): StatusModel[] {
    return this.statuses.filter((status) => status.sha === sha);
  }

  commentsOn(number: number): CommentModel[] {
    return this.comments.filter((comment) => comment.issue === number);
  }

  /** API requests answered since `since` (an index into `requests`), without the 304s. */
  costSince(since: number): { requests: number; notModified: number; charged: number } {
    const slice = this.requests.slice(since);
    const notModifiedCount = slice.filter((request) => request.status === 304).length;
    return { requests: slice.length, notModified: notModifiedCount, charged: slice.length - notModifiedCount };
  }

  private pull(number: number): PullModel {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`the simulator has no pull request #${number}`);
    return pull;
  }

  private touch(pull: PullModel): PullModel {
    pull.updatedAt = new Date().toISOString();
    return pull;
  }

  private async moveHead(pull: PullModel, sha: string): Promise<string> {
    this.touch(pull).headSha = sha;
    await this.git.setRef(`refs/pull/${pull.number}/head`, sha);
    return sha;
  }

  private forkOf(owner: string): RepoModel {
    let fork = this.forks.get(owner);
    if (!fork) {
      fork = { ...this.repo, owner, id: this.nextId++ };
      this.forks.set(owner, fork);
    }
    return fork;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const method = request.method ?? 'GET';
    const record = (status: number): void => {
      this.requests.push({ method, path: `${path}${url.search}`, status });
    };
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record(status);
      sendJson(response, status, body, { ...rateLimitHeaders(this.rateLimit), ...headers });
    };

    const auth = request.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      answer(401, this.shapes.error('Bad credentials', 401));
      return;
    }
    if (this.secondaryLimits > 0) {
      this.secondaryLimits -= 1;
      answer(403, this.shapes.error('You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', 403), { 'retry-after': '1' });
      return;
    }
    if (this.rateLimit.remaining <= 0) {
      answer(403, this.shapes.error(`API rate limit exceeded for user ID 1.`, 403));
      return;
    }

    const route = await this.route(method, path, url, request);
    if (route.status === 304) throw new Error('routes never answer 304 themselves');
    const text = route.body === undefined ? '' : JSON.stringify(route.body);
    const etag = method === 'GET' ? etagOf(text) : undefined;
    if (etag !== undefined && route.status === 200 && notModified(request, etag)) {
      // A conditional request that matches costs nothing, as on GitHub.
      record(304);
      response.writeHead(304, { etag, ...rateLimitHeaders(this.rateLimit) });
      response.end();
      return;
    }
    // Asking for the rate limit does not count against it, on GitHub.
    if (path !== '/rate_limit') this.rateLimit.remaining -= 1;
    answer(route.status, route.body, {
      ...(etag !== undefined && { etag }),
      ...(route.link !== undefined && { link: route.link }),
      ...(route.location !== undefined && { location: route.location }),
    });
  }

  private async route(method: string, path: string, url: URL, request: IncomingMessage): Promise<{ status: number; body: unknown; link?: string; location?: string }> {
    const notFound = { status: 404, body: this.shapes.error('Not Found', 404) };
    if (method === 'GET' && path === '/rate_limit') return { status: 200, body: this.shapes.rateLimits(this.rateLimit) };
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
    if (!match || match[1] !== this.repo.owner || match[2] !== this.repo.name) return notFound;
    const rest = match[3]!;
    let parts: RegExpExecArray | null;

    if (method === 'GET' && rest === '/pulls') {
      const state = url.searchParams.get('state') ?? 'open';
      const base = url.searchParams.get('base');
      const sort = url.searchParams.get('sort') ?? 'created';
      const direction = url.searchParams.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
      const key = (pull: PullModel): string => (sort === 'updated' ? pull.updatedAt : pull.createdAt) + String(pull.number).padStart(8, '0');
      const all = [...this.pulls.values()]
        .filter((pull) => (state === 'all' || pull.state === state) && (base === null || pull.baseRef === base))
        .sort((a, b) => (direction === 'asc' ? key(a).localeCompare(key(b)) : key(b).localeCompare(key(a))));
      const page = paginate(all, url);
      return { status: 200, body: page.items.map((pull) => this.shapes.pullSimple(this.repo, pull)), ...(page.link !== undefined && { link: page.link }) };
    }
    if (method === 'GET' && (parts = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = this.pulls.get(Number(parts[1]));
      if (!pull) return notFound;
      const files = await this.git.changedFiles(pull.baseSha, pull.headSha);
      const commits = await this.git.commitCount(pull.baseSha, pull.headSha);
      return { status: 200, body: this.shapes.pull(this.repo, pull, { commits, changedFiles: files.length, comments: this.commentsOn(pull.number).length }) };
    }
    if (method === 'GET' && (parts = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pull = this.pulls.get(Number(parts[1]));
      if (!pull) return notFound;
      const page = paginate(await this.git.changedFiles(pull.baseSha, pull.headSha), url);
      return { status: 200, body: page.items.map((change) => this.shapes.diffEntry(this.repo, pull.headSha, change)), ...(page.link !== undefined && { link: page.link }) };
    }
    if (method === 'GET' && (parts = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const number = Number(parts[1]);
      if (!this.pulls.has(number)) return notFound;
      const page = paginate(this.reviews.get(number) ?? [], url);
      return { status: 200, body: page.items.map((review) => this.shapes.review(this.repo, number, review)), ...(page.link !== undefined && { link: page.link }) };
    }
    if (method === 'GET' && (parts = /^\/git\/commits\/([0-9a-f]{40})$/.exec(rest))) {
      const facts = await this.git.commitFacts(parts[1]!);
      return facts ? { status: 200, body: this.shapes.gitCommit(this.repo, facts) } : notFound;
    }
    if (method === 'POST' && (parts = /^\/statuses\/([0-9a-f]{40})$/.exec(rest))) {
      const body = (await readBody(request)) as { state?: string; context?: string; description?: string; target_url?: string };
      if (!(await this.git.commitFacts(parts[1]!))) return { status: 422, body: this.shapes.validationFailed(`No commit found for SHA: ${parts[1]}`) };
      if (!['error', 'failure', 'pending', 'success'].includes(body.state ?? '')) {
        return { status: 422, body: this.shapes.validationFailed('Validation Failed', [{ resource: 'Status', field: 'state', code: 'custom', message: 'state is not included in the list' }]) };
      }
      const status: StatusModel = {
        id: this.nextId++,
        sha: parts[1]!,
        state: body.state as StatusModel['state'],
        context: body.context ?? 'default',
        description: body.description ?? null,
        targetUrl: body.target_url ?? null,
        creator: this.viewer,
        createdAt: new Date().toISOString(),
      };
      this.statuses.push(status);
      const created = this.shapes.status(this.repo, status);
      return { status: 201, body: created, location: created.url };
    }
    if ((parts = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(parts[1]);
      if (!this.pulls.has(issue)) return notFound;
      if (method === 'GET') {
        const page = paginate(this.commentsOn(issue), url);
        return { status: 200, body: page.items.map((comment) => this.shapes.comment(this.repo, comment)), ...(page.link !== undefined && { link: page.link }) };
      }
      if (method === 'POST') {
        const body = (await readBody(request)) as { body?: string };
        if (typeof body?.body !== 'string' || body.body === '') return { status: 422, body: this.shapes.validationFailed('Validation Failed', [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]) };
        const comment: CommentModel = { id: this.nextId++, issue, user: this.viewer, body: body.body, createdAt: new Date().toISOString() };
        this.comments.push(comment);
        const created = this.shapes.comment(this.repo, comment);
        return { status: 201, body: created, location: created.url };
      }
    }
    if (method === 'DELETE' && (parts = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const index = this.comments.findIndex((comment) => comment.id === Number(parts![1]));
      if (index < 0) return notFound;
      this.comments.splice(index, 1);
      return { status: 204, body: undefined };
    }
    return notFound;
  }
}

/** Starts a simulator; stop it in `afterEach`. */
export function startGitHubSimulator(options?: { owner?: string; name?: string; defaultBranch?: string }): Promise<GitHubSimulator> {
  return GitHubSimulator.start(options);
}
