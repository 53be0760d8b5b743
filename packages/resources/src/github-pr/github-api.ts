import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit, type RestEndpointMethodTypes } from '@octokit/rest';
import { ResourceError, type ResourceContext } from '../interface.js';
import { octokitLog } from './octokit-log.js';
import type { GithubPrSettings } from './source.js';

/** The fields of a pull request weir uses: small enough to keep in the check's cache. */
export interface PullSummary {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  author: string;
  url: string;
  labels: string[];
  headSha: string;
  headRef: string;
  /** `owner/name` of the head's repository; null when the fork was deleted. */
  headRepo: string | null;
  baseRef: string;
  baseSha: string;
  baseRepo: string;
  /** Where to clone the base repository from; it also holds `refs/pull/N/head`. */
  cloneUrl: string;
}

export interface Review {
  user: string;
  state: string;
}

/** A conditional GET's last answer: replayed when GitHub says 304 Not Modified. */
export interface CachedAnswer {
  etag: string;
  value: unknown;
  next?: string;
}

export type EtagCache = Record<string, CachedAnswer>;

type PullData = RestEndpointMethodTypes['pulls']['list']['response']['data'][number];

/** Retries wait at most this long for a rate limit to lift; longer, and the check fails and says when to retry. */
const LONGEST_RATE_LIMIT_WAIT_SECONDS = 60;
const PAGE_SIZE = 100;

/**
 * GitHub's REST API through Octokit, with its throttling plugin (primary and secondary rate
 * limits wait and retry) and retry plugin (server errors), and conditional requests: every GET
 * sends the ETag of its last answer, and a 304 (free of rate limit) replays the cached answer.
 * Failures become ResourceErrors in the user's terms; the token never appears in them.
 */
export class GithubApi {
  /** Requests sent and how many came back 304, for the check's log line. */
  readonly cost = { requests: 0, notModified: 0 };
  private readonly octokit: Octokit;
  private readonly used: EtagCache = {};
  private rateRemaining: string | undefined;

  constructor(
    private readonly settings: GithubPrSettings,
    private readonly ctx: ResourceContext,
    private readonly etags: EtagCache = {},
  ) {
    const ThrottledOctokit = Octokit.plugin(throttling, retry);
    const retryWhileShort = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount >= 2 || retryAfter > LONGEST_RATE_LIMIT_WAIT_SECONDS) return false;
      ctx.log(`GitHub ${kind} rate limit on ${options.method} ${options.url}: retrying in ${retryAfter}s`);
      return true;
    };
    this.octokit = new ThrottledOctokit({
      ...(settings.token !== undefined && { auth: settings.token }),
      baseUrl: settings.baseUrl,
      userAgent: 'weir-github-pr',
      request: { signal: ctx.signal },
      log: octokitLog(ctx.logger),
      throttle: { onRateLimit: retryWhileShort('primary'), onSecondaryRateLimit: retryWhileShort('secondary') },
    });
    // 304s and failures carry the rate-limit headers too, on the error's response.
    this.octokit.hook.after('request', (response) => this.noteRateLimit(response.headers));
    this.octokit.hook.error('request', (error) => {
      this.noteRateLimit((error as { response?: { headers?: Record<string, string | number | undefined> } }).response?.headers);
      throw error;
    });
  }

  /** The cache entries this client's requests used: what the next check needs, nothing older. */
  etagsToKeep(): EtagCache {
    return { ...this.used };
  }

  /** "12 requests (10 not modified), 4988 left this hour", for the check log. */
  describeCost(): string {
    const left = this.rateRemaining === undefined ? '' : `, ${this.rateRemaining} left in the rate limit`;
    return `${this.cost.requests} GitHub API requests (${this.cost.notModified} not modified)${left}`;
  }

  private noteRateLimit(headers: Record<string, string | number | undefined> | undefined): void {
    const remaining = headers?.['x-ratelimit-remaining'];
    if (remaining !== undefined) this.rateRemaining = String(remaining);
  }

  async listPulls(state: 'open' | 'all'): Promise<PullSummary[]> {
    const query = new URLSearchParams({ state, sort: 'created', direction: 'asc', per_page: String(PAGE_SIZE) });
    if (this.settings.baseBranch !== undefined) query.set('base', this.settings.baseBranch);
    return this.allPages(`${this.repoPath}/pulls?${query}`, `listing the pull requests of ${this.repoName}`, (data) => (data as PullData[]).map(summarize));
  }

  async pull(number: number): Promise<PullSummary> {
    return (await this.conditionalGet(`${this.repoPath}/pulls/${number}`, `reading pull request #${number}`, (data) => summarize(data as PullData))).value;
  }

  async commit(sha: string): Promise<{ committed: string; message: string }> {
    return (
      await this.conditionalGet(`${this.repoPath}/git/commits/${sha}`, `reading commit ${sha}`, (data) => {
        const commit = data as RestEndpointMethodTypes['git']['getCommit']['response']['data'];
        return { committed: commit.committer.date, message: commit.message };
      })
    ).value;
  }

  async changedFiles(number: number): Promise<string[]> {
    return this.allPages(`${this.repoPath}/pulls/${number}/files?per_page=${PAGE_SIZE}`, `listing the files of pull request #${number}`, (data) =>
      (data as RestEndpointMethodTypes['pulls']['listFiles']['response']['data']).flatMap((file) => [file.filename, ...(file.previous_filename ? [file.previous_filename] : [])]),
    );
  }

  async reviews(number: number): Promise<Review[]> {
    return this.allPages(`${this.repoPath}/pulls/${number}/reviews?per_page=${PAGE_SIZE}`, `listing the reviews of pull request #${number}`, (data) =>
      (data as RestEndpointMethodTypes['pulls']['listReviews']['response']['data']).map((review) => ({ user: review.user?.login ?? '', state: review.state })),
    );
  }

  async setStatus(sha: string, status: { state: 'success' | 'failure' | 'error' | 'pending'; context: string; description?: string; target_url?: string }): Promise<void> {
    await this.send(`setting the ${status.context} status of ${sha}`, () =>
      this.octokit.rest.repos.createCommitStatus({ owner: this.settings.owner, repo: this.settings.repo, sha, ...status }),
    );
  }

  async comments(number: number): Promise<Array<{ id: number; body: string }>> {
    // Not octokit.paginate: it follows whatever host a Link header names, token included.
    return this.allPages(`${this.repoPath}/issues/${number}/comments?per_page=${PAGE_SIZE}`, `listing the comments of pull request #${number}`, (data) =>
      (data as RestEndpointMethodTypes['issues']['listComments']['response']['data']).map((comment) => ({ id: Number(comment.id), body: comment.body ?? '' })),
    );
  }

  async addComment(number: number, body: string): Promise<string> {
    const response = await this.send(`commenting on pull request #${number}`, () =>
      this.octokit.rest.issues.createComment({ owner: this.settings.owner, repo: this.settings.repo, issue_number: number, body }),
    );
    return response.data.html_url;
  }

  async deleteComment(id: number): Promise<void> {
    await this.send(`deleting comment ${id}`, () => this.octokit.rest.issues.deleteComment({ owner: this.settings.owner, repo: this.settings.repo, comment_id: id }));
  }

  private get repoPath(): string {
    return `/repos/${encodeURIComponent(this.settings.owner)}/${encodeURIComponent(this.settings.repo)}`;
  }

  private get repoName(): string {
    return `${this.settings.owner}/${this.settings.repo}`;
  }

  /** Every page of a list, following GitHub's `Link: rel="next"` within the API's origin only. */
  private async allPages<T>(path: string, what: string, project: (data: unknown) => T[]): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const page: { value: T[]; next?: string } = await this.conditionalGet(next, what, project);
      items.push(...page.value);
      next = page.next === undefined ? undefined : this.pagePath(page.next, what);
    }
    return items;
  }

  /**
   * A next-page link as a path under the API root. Octokit sends its token to any absolute URL
   * it is given, so a link to another origin (a proxy's or a compromised server's answer, or a
   * base URL matched as a mere string prefix) must never reach it.
   */
  private pagePath(link: string, what: string): string {
    const base = new URL(this.settings.baseUrl);
    const target = URL.canParse(link, base.href) ? new URL(link, base) : undefined;
    const root = base.pathname.replace(/\/+$/, '');
    if (target?.origin !== base.origin || !target.pathname.startsWith(`${root}/`)) {
      throw new ResourceError(
        'github-pagination-foreign',
        `${what} stopped: the next page is at ${target ? `${target.origin}${target.pathname}` : JSON.stringify(link)}, outside the API at ${base.origin}${root}`,
        'GitHub links pages within its own API; check v3_endpoint, and any proxy between weir and GitHub that rewrites Link headers',
      );
    }
    return `${target.pathname.slice(root.length)}${target.search}`;
  }

  /**
   * A GET of `path` (under the API root) sent with the ETag of its last answer. The cache holds the projected value (what weir
   * reads), not GitHub's whole body, so it stays small.
   */
  private async conditionalGet<T>(path: string, what: string, project: (data: unknown) => T): Promise<{ value: T; next?: string }> {
    const cached = this.etags[path];
    try {
      this.cost.requests += 1;
      const response = await this.octokit.request({ method: 'GET', url: path, headers: cached ? { 'if-none-match': cached.etag } : {} });
      const next = nextLink(response.headers.link);
      const answer: CachedAnswer = { etag: response.headers.etag ?? '', value: project(response.data), ...(next !== undefined && { next }) };
      if (answer.etag !== '') this.used[path] = answer;
      return answer as { value: T; next?: string };
    } catch (error) {
      if (statusOf(error) === 304 && cached) {
        this.cost.notModified += 1;
        this.used[path] = cached;
        return cached as { value: T; next?: string };
      }
      throw this.failure(what, error);
    }
  }

  private async send<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      this.cost.requests += 1;
      return await request();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): Error {
    if (this.ctx.signal.aborted) return new ResourceError('github-aborted', `${what} was stopped before it finished`);
    const status = statusOf(error);
    const detail = this.ctx.redact((error as Error).message ?? String(error));
    if (status === undefined) {
      return new ResourceError('github-unreachable', `${what} failed: ${detail}`, `check that ${this.settings.baseUrl} is reachable from the engine (v3_endpoint)`);
    }
    if (status === 401) {
      return new ResourceError('github-unauthorized', `${what} failed: GitHub refused the access_token (401)`, 'set source.access_token to a valid token; it may have expired or been revoked');
    }
    if (status === 404) {
      return new ResourceError(
        'github-not-found',
        `${what} failed: not found (404)`,
        `check source.repository (${this.repoName}); GitHub answers 404 for private repositories the token cannot read`,
      );
    }
    if (status === 403 || status === 429) {
      return new ResourceError('github-rate-limited', `${what} failed: ${detail} (${status})`, 'wait for the rate limit to reset (see x-ratelimit-reset), check less often, or use webhooks instead of polling');
    }
    return new ResourceError('github-api-failed', `${what} failed: ${detail} (${status})`);
  }
}

function summarize(pull: PullData): PullSummary {
  return {
    number: pull.number,
    state: pull.state === 'closed' ? 'closed' : 'open',
    merged: pull.merged_at !== null,
    draft: pull.draft ?? false,
    title: pull.title,
    author: pull.user?.login ?? '',
    url: pull.html_url,
    labels: pull.labels.map((label) => label.name),
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    headRepo: pull.head.repo?.full_name ?? null,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
    baseRepo: pull.base.repo.full_name,
    cloneUrl: pull.base.repo.clone_url,
  };
}

function nextLink(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /<([^>]+)>;\s*rel="next"/.exec(header)?.[1];
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
