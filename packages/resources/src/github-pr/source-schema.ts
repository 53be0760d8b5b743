import type { JsonSchema } from '../interface.js';

const pathList = (description: string): JsonSchema => ({ type: 'array', description, items: { type: 'string', minLength: 1 } });

export const githubPrSourceSchema: JsonSchema = {
  type: 'object',
  description: 'Pull requests of a GitHub repository (telia-oss/github-pr-resource fields).',
  required: ['repository'],
  additionalProperties: false,
  properties: {
    repository: { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$', description: 'The repository as owner/name, e.g. acme/app.' },
    access_token: {
      type: 'string',
      description: 'A GitHub token with read access to the repository (and `repo:status` for put). Without it, only public repositories at 60 requests an hour. Never logged.',
    },
    v3_endpoint: {
      type: 'string',
      description: 'The REST API root: https://github.example.com/api/v3 for GitHub Enterprise. Default: https://api.github.com.',
    },
    base_branch: { type: 'string', description: 'Only PRs into this branch. Default: any base.' },
    labels: { type: 'array', items: { type: 'string' }, description: 'Only PRs carrying at least one of these labels.' },
    paths: pathList('Only PRs changing a file matching one of these globs (`*` within a directory, `**` across) or under one of these directories.'),
    ignore_paths: pathList('PRs that change only files matching these globs or under these directories are left out.'),
    disable_forks: { type: 'boolean', description: 'Leave out PRs whose head is in a fork. Default: false.' },
    ignore_drafts: { type: 'boolean', description: 'Leave out draft PRs until they are marked ready. Default: false.' },
    required_review_approvals: { type: 'integer', minimum: 0, description: 'Only PRs approved by at least this many reviewers (each reviewer\'s latest review counts). Default: 0.' },
    disable_ci_skip: { type: 'boolean', description: 'Also report head commits whose message says [ci skip] or [skip ci]. Default: false (they are left out).' },
    states: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: ['open', 'closed', 'merged', 'OPEN', 'CLOSED', 'MERGED'] },
      description: 'Which PRs to report: open ones by default; add closed or merged to also report PRs already in those states. A PR reported while open always gets a version when it is merged or closed.',
    },
  },
};

export const githubPrGetParamsSchema: JsonSchema = {
  type: 'object',
  description:
    'Every get also writes .git/resource/open_pulls.json: a JSON array, by PR number, of the version ({pr, commit, state, committed, opened}) of every PR open at the resource\'s latest check and reported by it, not as of the version fetched; not written before a check of the resource was saved (an empty list would mean every PR is gone). For a watcher: load_var it and set_pipeline across its values.',
  additionalProperties: false,
  properties: {
    integration_tool: {
      type: 'string',
      enum: ['merge', 'rebase', 'checkout'],
      description: 'How the PR\'s head meets its base: merge it into the base (default), rebase it onto the base, or check out the head as it is.',
    },
    list_changed_files: { type: 'boolean', description: 'Write the PR\'s changed files, one a line, to .git/resource/changed_files. Default: false.' },
    skip_download: {
      type: 'boolean',
      description:
        'Fetch nothing with git: only .git/resource/ is written (the PR\'s facts, base_sha as GitHub reports it, and open_pulls.json), and integration_tool has no effect. For watcher pipelines that need the list of open PRs, not their code. Default: false.',
    },
  },
};

export const githubPrPutParamsSchema: JsonSchema = {
  type: 'object',
  required: ['path'],
  additionalProperties: false,
  properties: {
    path: { type: 'string', minLength: 1, description: 'The name of the artifact a get of this resource made: it says which PR and commit the put is about.' },
    status: {
      type: 'string',
      enum: ['success', 'failure', 'error', 'pending', 'SUCCESS', 'FAILURE', 'ERROR', 'PENDING'],
      description: 'Set a commit status with this state on the PR\'s commit.',
    },
    base_context: { type: 'string', description: 'The first part of the status context. Default: weir.' },
    context: { type: 'string', description: 'The second part of the status context: base_context/context. Default: status.' },
    target_url: { type: 'string', description: 'The link of the status. Default: the build\'s page in weir.' },
    description: { type: 'string', description: 'The status description shown next to it on GitHub.' },
    comment: { type: 'string', description: 'Post this comment on the PR.' },
    comment_file: { type: 'string', description: 'Post the contents of this file (relative to the build\'s artifacts) as a comment on the PR.' },
    delete_previous_comments: { type: 'boolean', description: 'Before commenting, delete the comments weir posted on the PR earlier. Default: false.' },
  },
};
