import { ResourceError } from '../interface.js';

/** A github-pr resource's `source`, as a pipeline writes it (telia-oss/github-pr-resource field names). */
export interface GithubPrSource {
  repository: string;
  access_token?: string;
  v3_endpoint?: string;
  base_branch?: string;
  labels?: string[];
  paths?: string[];
  ignore_paths?: string[];
  disable_forks?: boolean;
  ignore_drafts?: boolean;
  required_review_approvals?: number;
  disable_ci_skip?: boolean;
  states?: Array<'open' | 'closed' | 'merged' | 'OPEN' | 'CLOSED' | 'MERGED'>;
}

export type PullState = 'open' | 'closed' | 'merged';

/**
 * A version: one per head commit of a matching PR while it is open, and one more when it leaves
 * the open state, so a watcher pipeline can tear the PR's environment down. `opened` numbers
 * the PR's open periods ("1", then one more each time it is reopened): without it, a PR reopened
 * at the head it was closed at would repeat a version the engine already has, and nothing would
 * bring its environment back. GitHub's pull request data has no reopening time to use instead.
 */
export type PrVersion = { pr: string; commit: string; state: PullState; committed: string; opened: string };

/** A source with defaults applied, compiled once per call. */
export interface GithubPrSettings {
  owner: string;
  repo: string;
  token: string | undefined;
  /** The REST API root, without a trailing slash. */
  baseUrl: string;
  baseBranch: string | undefined;
  labels: string[];
  paths: string[];
  ignorePaths: string[];
  disableForks: boolean;
  ignoreDrafts: boolean;
  requiredApprovals: number;
  ciSkip: boolean;
  /** Which PRs a check lists; a PR seen open always reports leaving the open state. */
  states: ReadonlySet<PullState>;
}

const PUBLIC_API = 'https://api.github.com';

export function compileSource(source: GithubPrSource): GithubPrSettings {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(source.repository);
  if (!match) {
    throw new ResourceError(
      'github-pr-repository-invalid',
      `the repository ${JSON.stringify(source.repository)} is not owner/name`,
      'write it as GitHub shows it, e.g. `repository: acme/app`',
    );
  }
  return {
    owner: match[1]!,
    repo: match[2]!.replace(/\.git$/, ''),
    token: source.access_token,
    baseUrl: (source.v3_endpoint ?? PUBLIC_API).replace(/\/+$/, ''),
    baseBranch: source.base_branch,
    labels: source.labels ?? [],
    paths: source.paths ?? [],
    ignorePaths: source.ignore_paths ?? [],
    disableForks: source.disable_forks ?? false,
    ignoreDrafts: source.ignore_drafts ?? false,
    requiredApprovals: source.required_review_approvals ?? 0,
    ciSkip: !(source.disable_ci_skip ?? false),
    states: new Set((source.states ?? ['open']).map((state) => state.toLowerCase() as PullState)),
  };
}
