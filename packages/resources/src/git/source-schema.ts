import type { JsonSchema } from '../interface.js';

const patterns = (description: string): JsonSchema => ({ type: 'array', description, items: { type: 'string' } });

export const gitSourceSchema: JsonSchema = {
  type: 'object',
  description: 'A git repository whose commits (or tags) are versions (Concourse git-resource fields).',
  required: ['uri'],
  additionalProperties: false,
  properties: {
    uri: {
      type: 'string',
      minLength: 1,
      description: 'The repository: https://host/org/repo.git, git@host:org/repo.git, ssh://…, git://… or file:///path. Put credentials in username/password or private_key, not in the URI.',
    },
    branch: {
      type: 'string',
      description: "The branch whose commits are versions, and put's target. Default: the repository's default branch (put needs it set, or params.branch).",
    },
    paths: patterns('Only commits touching these paths (git pathspecs; * matches across /) are versions.'),
    ignore_paths: patterns('Commits touching only these paths are not versions.'),
    tag_filter: {
      type: 'string',
      description: 'Versions are the tags matching this glob (e.g. v*), on the branch if one is set: {ref: tag, commit}. Not with tag_regex.',
    },
    tag_regex: {
      type: 'string',
      description: 'Versions are the tags whose whole name matches this extended regular expression (e.g. v[0-9]+\\.[0-9]+\\.[0-9]+). Not with tag_filter.',
    },
    fetch_tags: { type: 'boolean', description: 'Get fetches every tag (true) or none (false). Default: the tags in the fetched history.' },
    username: { type: 'string', description: 'User name for https; needs password. Sent only to the host of uri.' },
    password: { type: 'string', description: 'Password or token for https; needs username. Never written to disk or logs.' },
    private_key: { type: 'string', description: 'Private key for ssh URIs (the whole key, BEGIN/END lines included, without passphrase). Written to a 0600 temporary file while git runs.' },
    private_key_user: { type: 'string', description: 'The ssh user name, where the URI does not give one.' },
    git_config: {
      type: 'array',
      description: 'git settings for every git command (git -c name=value), e.g. core.bigFileThreshold. Settings that make git run programs are refused.',
      items: {
        type: 'object',
        required: ['name', 'value'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, description: 'The setting, e.g. http.postBuffer.' },
          value: { type: ['string', 'number', 'boolean'], description: 'Its value.' },
        },
      },
    },
    disable_ci_skip: { type: 'boolean', description: 'Commits whose message says [ci skip] or [skip ci] are versions too. Default: they are skipped.' },
    commit_filter: {
      type: 'object',
      description: 'Filters commits by message (git grep patterns, basic regular expressions).',
      additionalProperties: false,
      properties: {
        include: patterns('A commit is a version only if its message matches one of these (all, with include_all_match).'),
        include_all_match: { type: 'boolean', description: 'A message must match every include pattern.' },
        exclude: patterns('A commit whose message matches one of these (all, with exclude_all_match) is not a version.'),
        exclude_all_match: { type: 'boolean', description: 'A commit is excluded only if its message matches every exclude pattern.' },
      },
    },
    version_depth: {
      type: 'integer',
      minimum: 1,
      description: 'How many versions the first check returns (in tag mode: every check). Default: 1.',
    },
    skip_ssl_verification: { type: 'boolean', description: "Do not verify the https server's certificate (git -c http.sslVerify=false)." },
  },
  dependencies: {
    username: ['password'],
    password: ['username'],
  },
};

export const gitGetParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    depth: { type: 'integer', minimum: 0, description: 'Fetch only this many commits of history, ending at the version. 0 or unset: all of it.' },
    submodules: {
      description: 'Submodules to fetch: "all" (default), "none", or a list of their paths.',
      oneOf: [{ type: 'string', enum: ['all', 'none'] }, { type: 'array', items: { type: 'string' } }],
    },
    submodule_recursive: { type: 'boolean', description: 'Fetch submodules of submodules too. Default: true.' },
    fetch_tags: { type: 'boolean', description: "Overrides the source's fetch_tags for this get." },
    clean_tags: { type: 'boolean', description: 'Delete every tag from the fetched repository, so a later put does not push stale tags back.' },
    short_ref_format: { type: 'string', description: 'printf-style format of .git/short_ref; %s is the first 7 characters of the ref. Default: %s.' },
  },
};

export const gitPutParamsSchema: JsonSchema = {
  type: 'object',
  required: ['repository'],
  additionalProperties: false,
  properties: {
    repository: { type: 'string', description: 'The artifact (path in the build) holding the repository whose HEAD is pushed.' },
    rebase: { type: 'boolean', description: 'If the branch moved on, rebase onto it and push again (a bounded number of times).' },
    merge: { type: 'boolean', description: 'If the branch moved on, merge it and push again (a bounded number of times). Not with rebase.' },
    returning: { type: 'string', enum: ['merged', 'unmerged'], description: 'With merge: the version is the merge commit (merged, default) or the commit that was built (unmerged).' },
    tag: { type: 'string', description: 'A file (path in the build) holding a tag name; HEAD is tagged with it before pushing.' },
    tag_prefix: { type: 'string', description: 'Prepended to the tag name read from tag, e.g. v.' },
    only_tag: { type: 'boolean', description: 'Push only the tags, not the branch.' },
    annotate: { type: 'string', description: 'A file (path in the build) holding a message: the tag is annotated with it.' },
    force: { type: 'boolean', description: 'Push even if it overwrites commits on the branch (git push --force).' },
    branch: { type: 'string', description: "Push to this branch instead of the source's; the version then names it." },
  },
};
