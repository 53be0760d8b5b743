import { ResourceError } from '../interface.js';
import { tagRegexMatcher } from './tags.js';
import { passwordInUri, splitUriCredentials } from './uri.js';

/** A git resource's `source`, as a pipeline writes it (Concourse git-resource field names). */
export interface GitSource {
  uri: string;
  branch?: string;
  paths?: string[];
  ignore_paths?: string[];
  tag_filter?: string;
  tag_regex?: string;
  fetch_tags?: boolean;
  username?: string;
  password?: string;
  private_key?: string;
  private_key_user?: string;
  git_config?: Array<{ name: string; value: string | number | boolean }>;
  disable_ci_skip?: boolean;
  commit_filter?: {
    include?: string[];
    include_all_match?: boolean;
    exclude?: string[];
    exclude_all_match?: boolean;
  };
  version_depth?: number;
  skip_ssl_verification?: boolean;
}

/**
 * A version: `ref` is the commit, or the tag name when the resource follows tags (then `commit`
 * is the tagged commit). `branch` is set by a put that pushed to another branch than the source's.
 */
export type GitVersion = { ref: string; commit?: string; branch?: string };

/** A full commit id (SHA-1 or SHA-256), as opposed to a tag or branch name. */
export function isCommitId(ref: string): boolean {
  return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(ref);
}

/** Which commits count as versions, beyond being on the branch. */
export interface HistoryFilters {
  /** Pathspecs a commit must touch; empty means any. */
  paths: string[];
  /** Pathspecs whose changes alone do not make a version. */
  ignorePaths: string[];
  /** Message patterns (git grep, basic regex) a commit must match. */
  include: string[];
  includeAllMatch: boolean;
  /** Message patterns that rule a commit out. */
  exclude: string[];
  excludeAllMatch: boolean;
  /** Leave out commits whose message says `[ci skip]` or `[skip ci]`. */
  skipCiSkip: boolean;
}

/** Tag mode: versions are tags matching a glob (git's own matching) or a whole-name regex. */
export type TagSelector = { glob: string } | { regex: string; matches(name: string): boolean };

/** A source with defaults applied and cross-field rules checked, compiled once per call. */
export interface GitSettings {
  /** The URI as git is given it: no credentials in it (see splitUriCredentials). */
  uri: string;
  /** The password as written in the source's URI (percent-encoded), only to scrub it from output. */
  uriPassword: string | undefined;
  branch: string | undefined;
  filters: HistoryFilters;
  tags: TagSelector | undefined;
  fetchTags: boolean | undefined;
  versionDepth: number;
  skipSslVerification: boolean;
  /** `name=value` entries, given to git through its environment (GIT_CONFIG_COUNT). */
  gitConfig: string[];
  httpCredentials: { username: string; password: string } | undefined;
  privateKey: { key: string; user: string | undefined } | undefined;
}

export function compileSource(source: GitSource): GitSettings {
  if (source.tag_filter !== undefined && source.tag_regex !== undefined) {
    throw new ResourceError(
      'git-tag-filter-and-regex',
      'the git source sets both tag_filter and tag_regex',
      'keep one: tag_filter takes a glob such as v*, tag_regex a regular expression such as v[0-9]+\\.[0-9]+',
    );
  }
  const paths = (source.paths ?? []).filter((path) => path !== '.');
  const include = source.commit_filter?.include ?? [];
  const exclude = source.commit_filter?.exclude ?? [];
  const written = source.uri.trim();
  const { uri, credentials: uriCredentials } = splitUriCredentials(written);
  return {
    uri,
    uriPassword: passwordInUri(written),
    branch: source.branch?.trim() || undefined,
    filters: {
      paths,
      ignorePaths: source.ignore_paths ?? [],
      include,
      includeAllMatch: source.commit_filter?.include_all_match ?? false,
      exclude,
      excludeAllMatch: source.commit_filter?.exclude_all_match ?? false,
      skipCiSkip: !(source.disable_ci_skip ?? false),
    },
    tags: tagSelector(source),
    fetchTags: source.fetch_tags,
    versionDepth: source.version_depth ?? 1,
    skipSslVerification: source.skip_ssl_verification ?? false,
    gitConfig: (source.git_config ?? []).map(({ name, value }) => `${name}=${String(value)}`),
    httpCredentials: source.username !== undefined && source.password !== undefined ? { username: source.username, password: source.password } : uriCredentials,
    privateKey: source.private_key?.trim() ? { key: source.private_key, user: source.private_key_user } : undefined,
  };
}

/** True when no filter needs the commits themselves, so the newest commit is all a check needs. */
export function needsOnlyNewestCommit(settings: GitSettings): boolean {
  const { filters } = settings;
  return (
    settings.tags === undefined &&
    settings.versionDepth === 1 &&
    !filters.skipCiSkip &&
    filters.paths.length === 0 &&
    filters.ignorePaths.length === 0 &&
    filters.include.length === 0 &&
    filters.exclude.length === 0
  );
}

function tagSelector(source: GitSource): TagSelector | undefined {
  if (source.tag_filter !== undefined) return { glob: source.tag_filter.trim() };
  if (source.tag_regex !== undefined) {
    const regex = source.tag_regex.trim();
    return { regex, matches: tagRegexMatcher(regex) };
  }
  return undefined;
}
