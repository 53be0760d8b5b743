import type { components } from '@octokit/openapi-types';
import type { CommitFacts, FileChange } from './git-host.js';
import type { RateLimit } from './http-answers.js';

/**
 * GitHub's documented response bodies, built from the simulator's model. Typed with
 * @octokit/openapi-types, so a missing or mistyped field fails the type check instead of
 * making the simulator kinder than GitHub.
 */
export type Schemas = components['schemas'];

export interface RepoModel {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  cloneUrl: string;
}

export interface PullModel {
  number: number;
  id: number;
  title: string;
  body: string | null;
  author: string;
  state: 'open' | 'closed';
  draft: boolean;
  labels: string[];
  baseRef: string;
  baseSha: string;
  headRef: string;
  headSha: string;
  /** The repository the head branch lives in: this one, or a fork. */
  headRepo: RepoModel;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface ReviewModel {
  id: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commitId: string;
  submittedAt: string;
}

export interface CommentModel {
  id: number;
  issue: number;
  user: string;
  body: string;
  createdAt: string;
}

export interface StatusModel {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export class Shapes {
  constructor(private readonly api: string) {}

  user(login: string): Schemas['simple-user'] {
    const url = `${this.api}/users/${login}`;
    return {
      login,
      id: idOf(login),
      node_id: nodeId('U', login),
      avatar_url: `https://avatars.example.com/${login}`,
      gravatar_id: '',
      url,
      html_url: `https://github.example.com/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: 'User',
      site_admin: false,
    };
  }

  repository(repo: RepoModel, fork: boolean): Schemas['repository'] {
    const url = `${this.api}/repos/${repo.owner}/${repo.name}`;
    const html = `https://github.example.com/${repo.owner}/${repo.name}`;
    return {
      id: repo.id,
      node_id: nodeId('R', `${repo.owner}/${repo.name}`),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      license: null,
      forks: 0,
      owner: this.user(repo.owner),
      private: false,
      html_url: html,
      description: null,
      fork,
      url,
      archive_url: `${url}/{archive_format}{/ref}`,
      assignees_url: `${url}/assignees{/user}`,
      blobs_url: `${url}/git/blobs{/sha}`,
      branches_url: `${url}/branches{/branch}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      comments_url: `${url}/comments{/number}`,
      commits_url: `${url}/commits{/sha}`,
      compare_url: `${url}/compare/{base}...{head}`,
      contents_url: `${url}/contents/{+path}`,
      contributors_url: `${url}/contributors`,
      deployments_url: `${url}/deployments`,
      downloads_url: `${url}/downloads`,
      events_url: `${url}/events`,
      forks_url: `${url}/forks`,
      git_commits_url: `${url}/git/commits{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_url: `git://github.example.com/${repo.owner}/${repo.name}.git`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      issue_events_url: `${url}/issues/events{/number}`,
      issues_url: `${url}/issues{/number}`,
      keys_url: `${url}/keys{/key_id}`,
      labels_url: `${url}/labels{/name}`,
      languages_url: `${url}/languages`,
      merges_url: `${url}/merges`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      pulls_url: `${url}/pulls{/number}`,
      releases_url: `${url}/releases{/id}`,
      ssh_url: `git@github.example.com:${repo.owner}/${repo.name}.git`,
      stargazers_url: `${url}/stargazers`,
      statuses_url: `${url}/statuses/{sha}`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      tags_url: `${url}/tags`,
      teams_url: `${url}/teams`,
      trees_url: `${url}/git/trees{/sha}`,
      clone_url: repo.cloneUrl,
      mirror_url: null,
      hooks_url: `${url}/hooks`,
      svn_url: html,
      homepage: null,
      language: null,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues_count: 0,
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      archived: false,
      disabled: false,
      pushed_at: null,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      open_issues: 0,
      watchers: 0,
    };
  }

  pullSimple(repo: RepoModel, pull: PullModel): Schemas['pull-request-simple'] {
    const url = `${this.api}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`;
    const issue = `${this.api}/repos/${repo.owner}/${repo.name}/issues/${pull.number}`;
    const html = `https://github.example.com/${repo.owner}/${repo.name}/pull/${pull.number}`;
    const statuses = `${this.api}/repos/${repo.owner}/${repo.name}/statuses/${pull.headSha}`;
    const fork = pull.headRepo !== repo;
    return {
      url,
      id: pull.id,
      node_id: nodeId('PR', String(pull.id)),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issue,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${this.api}/repos/${repo.owner}/${repo.name}/pulls/comments{/number}`,
      comments_url: `${issue}/comments`,
      statuses_url: statuses,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: this.user(pull.author),
      body: pull.body,
      labels: pull.labels.map((name) => ({
        id: idOf(`label:${name}`),
        node_id: nodeId('LA', name),
        url: `${this.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
        name,
        description: '',
        color: 'ededed',
        default: false,
      })),
      milestone: null,
      active_lock_reason: null,
      created_at: isoSeconds(pull.createdAt),
      updated_at: isoSeconds(pull.updatedAt),
      closed_at: pull.closedAt === null ? null : isoSeconds(pull.closedAt),
      merged_at: pull.mergedAt === null ? null : isoSeconds(pull.mergedAt),
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${pull.headRepo.owner}:${pull.headRef}`,
        ref: pull.headRef,
        repo: this.repository(pull.headRepo, fork),
        sha: pull.headSha,
        user: this.user(pull.headRepo.owner),
      },
      base: {
        label: `${repo.owner}:${pull.baseRef}`,
        ref: pull.baseRef,
        repo: this.repository(repo, false),
        sha: pull.baseSha,
        user: this.user(repo.owner),
      },
      _links: {
        comments: { href: `${issue}/comments` },
        commits: { href: `${url}/commits` },
        statuses: { href: statuses },
        html: { href: html },
        issue: { href: issue },
        review_comments: { href: `${url}/comments` },
        review_comment: { href: `${this.api}/repos/${repo.owner}/${repo.name}/pulls/comments{/number}` },
        self: { href: url },
      },
      author_association: 'CONTRIBUTOR',
      auto_merge: null,
      draft: pull.draft,
    };
  }

  pull(repo: RepoModel, pull: PullModel, counts: { commits: number; changedFiles: number; comments: number }): Schemas['pull-request'] {
    const simple = this.pullSimple(repo, pull);
    return {
      ...simple,
      state: pull.state,
      user: this.user(pull.author),
      labels: simple.labels,
      requested_teams: [],
      head: { ...simple.head, user: this.user(pull.headRepo.owner) },
      base: { ...simple.base, user: this.user(repo.owner) },
      merged: pull.mergedAt !== null,
      mergeable: pull.state === 'open' ? true : null,
      rebaseable: pull.state === 'open' ? true : null,
      mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
      merged_by: pull.mergedAt !== null ? this.user(repo.owner) : null,
      comments: counts.comments,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: counts.commits,
      additions: 0,
      deletions: 0,
      changed_files: counts.changedFiles,
    };
  }

  diffEntry(repo: RepoModel, headSha: string, change: FileChange): Schemas['diff-entry'] {
    const blob = `https://github.example.com/${repo.owner}/${repo.name}/blob/${headSha}/${change.filename}`;
    return {
      sha: null,
      filename: change.filename,
      status: change.status,
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: blob,
      raw_url: blob.replace('/blob/', '/raw/'),
      contents_url: `${this.api}/repos/${repo.owner}/${repo.name}/contents/${change.filename}?ref=${headSha}`,
      ...(change.previousFilename !== undefined && { previous_filename: change.previousFilename }),
    };
  }

  review(repo: RepoModel, pullNumber: number, review: ReviewModel): Schemas['pull-request-review'] {
    const html = `https://github.example.com/${repo.owner}/${repo.name}/pull/${pullNumber}`;
    return {
      id: review.id,
      node_id: nodeId('PRR', String(review.id)),
      user: this.user(review.user),
      body: '',
      state: review.state,
      html_url: `${html}#pullrequestreview-${review.id}`,
      pull_request_url: `${this.api}/repos/${repo.owner}/${repo.name}/pulls/${pullNumber}`,
      _links: { html: { href: `${html}#pullrequestreview-${review.id}` }, pull_request: { href: `${this.api}/repos/${repo.owner}/${repo.name}/pulls/${pullNumber}` } },
      submitted_at: isoSeconds(review.submittedAt),
      commit_id: review.commitId,
      author_association: 'COLLABORATOR',
    };
  }

  gitCommit(repo: RepoModel, facts: CommitFacts): Schemas['git-commit'] {
    const base = `${this.api}/repos/${repo.owner}/${repo.name}/git`;
    return {
      sha: facts.sha,
      node_id: nodeId('C', facts.sha),
      url: `${base}/commits/${facts.sha}`,
      author: { date: isoSeconds(facts.authorDate), email: facts.authorEmail, name: facts.authorName },
      committer: { date: isoSeconds(facts.committerDate), email: facts.authorEmail, name: facts.authorName },
      message: facts.message,
      tree: { sha: facts.tree, url: `${base}/trees/${facts.tree}` },
      parents: facts.parents.map((sha) => ({ sha, url: `${base}/commits/${sha}`, html_url: `https://github.example.com/${repo.owner}/${repo.name}/commit/${sha}` })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      html_url: `https://github.example.com/${repo.owner}/${repo.name}/commit/${facts.sha}`,
    };
  }

  status(repo: RepoModel, status: StatusModel): Schemas['status'] {
    return {
      url: `${this.api}/repos/${repo.owner}/${repo.name}/statuses/${status.sha}`,
      avatar_url: null,
      id: status.id,
      node_id: nodeId('SC', String(status.id)),
      state: status.state,
      description: status.description,
      target_url: status.targetUrl,
      context: status.context,
      created_at: isoSeconds(status.createdAt),
      updated_at: isoSeconds(status.createdAt),
      creator: this.user(status.creator),
    };
  }

  comment(repo: RepoModel, comment: CommentModel): Schemas['issue-comment'] {
    const issue = `${this.api}/repos/${repo.owner}/${repo.name}/issues/${comment.issue}`;
    return {
      id: comment.id,
      node_id: nodeId('IC', String(comment.id)),
      url: `${this.api}/repos/${repo.owner}/${repo.name}/issues/comments/${comment.id}`,
      body: comment.body,
      html_url: `https://github.example.com/${repo.owner}/${repo.name}/pull/${comment.issue}#issuecomment-${comment.id}`,
      user: this.user(comment.user),
      created_at: isoSeconds(comment.createdAt),
      updated_at: isoSeconds(comment.createdAt),
      issue_url: issue,
      author_association: 'CONTRIBUTOR',
    };
  }

  error(message: string, status: number): Schemas['basic-error'] {
    return { message, documentation_url: 'https://docs.github.com/rest', status: String(status) };
  }

  /** A 422, naming each rejected field (its resource, and why) when there are any. */
  validationFailed(message: string, errors: NonNullable<Schemas['validation-error']['errors']> = []): Schemas['validation-error'] {
    return { message, documentation_url: 'https://docs.github.com/rest', ...(errors.length > 0 && { errors }) };
  }

  /** `GET /rate_limit`: the simulator counts only `core`; the other resources GitHub lists stay untouched. */
  rateLimits(core: RateLimit): Schemas['rate-limit-overview'] {
    const used = core.limit - core.remaining;
    const fresh = (limit: number, reset: number): Schemas['rate-limit'] => ({ limit, remaining: limit, reset, used: 0 });
    const hourly = { ...core, used };
    const minute = Math.floor(Date.now() / 1000) + 60;
    return {
      resources: {
        core: hourly,
        search: fresh(30, minute),
        graphql: fresh(5000, core.reset),
        code_search: fresh(10, minute),
        integration_manifest: fresh(5000, core.reset),
      },
      rate: hourly,
    };
  }
}

/** GitHub's timestamps have whole seconds and a Z; the model keeps milliseconds so its orderings stay exact. */
function isoSeconds(date: string): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function idOf(text: string): number {
  let hash = 7;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) % 2_000_000_000;
  return hash;
}

function nodeId(kind: string, key: string): string {
  return `${kind}_${Buffer.from(key).toString('base64url')}`;
}
