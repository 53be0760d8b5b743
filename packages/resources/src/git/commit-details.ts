import type { MetadataField } from '../interface.js';
import type { GitRunner } from './git-runner.js';

/**
 * `git log -1 --format=` fields, NUL-separated; `%D` (decorations, limited to tags) gives the
 * tags on the commit, and the message comes last since it may hold anything but NUL.
 */
export const COMMIT_DETAILS_FORMAT = '%H%x00%an%x00%ae%x00%ai%x00%cn%x00%ce%x00%ci%x00%D%x00%B';

export interface CommitDetails {
  commit: string;
  authorName: string;
  authorEmail: string;
  /** `2024-05-01 12:00:00 +0200`, as Concourse shows it. */
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  /** Tags pointing at the commit, by name. */
  tags: string[];
  message: string;
}

export function parseCommitDetails(output: string): CommitDetails {
  const [commit = '', authorName = '', authorEmail = '', authorDate = '', committerName = '', committerEmail = '', committerDate = '', decorations = '', ...message] = output.split('\0');
  const tags = decorations
    .split(', ')
    .filter((decoration) => decoration.startsWith('tag: '))
    .map((decoration) => decoration.slice('tag: '.length))
    // In name order, as `git tag --points-at` lists them for Concourse.
    .sort();
  return { commit, authorName, authorEmail, authorDate, committerName, committerEmail, committerDate, tags, message: message.join('\0').replace(/\n+$/, '') };
}

/** Reads a commit's details in the repository at `cwd`. */
export async function describeCommit(git: GitRunner, cwd: string, commit: string, config?: string[]): Promise<CommitDetails> {
  const output = await git.run({ cwd, args: ['log', '-1', '--decorate-refs=refs/tags/', `--format=${COMMIT_DETAILS_FORMAT}`, commit, '--'], what: `reading commit ${commit}`, ...(config && { config }) });
  return parseCommitDetails(output);
}

/** Concourse keeps long messages out of its database; so does weir. */
const MESSAGE_LIMIT = 10_240;

/** The metadata Concourse's git resource shows with a version, in its order and with its names. */
export function commitMetadata(details: CommitDetails, where: { branch?: string; url?: string }): MetadataField[] {
  const fields: MetadataField[] = [
    { name: 'commit', value: details.commit },
    { name: 'author', value: details.authorName },
    { name: 'author_date', value: details.authorDate },
    { name: 'committer', value: details.committerName },
    { name: 'committer_date', value: details.committerDate },
  ];
  if (where.branch) fields.push({ name: 'branch', value: where.branch });
  if (details.tags.length > 0) fields.push({ name: 'tags', value: details.tags.join(',') });
  fields.push({ name: 'message', value: details.message.slice(0, MESSAGE_LIMIT) });
  if (where.url) fields.push({ name: 'url', value: where.url });
  return fields;
}

/**
 * The files Concourse's get writes into `.git/` for tasks (`$(cat repo/.git/short_ref)`), by
 * name. `committer` holds the author's email, as in Concourse, for notifying whoever broke the build.
 */
export function worktreeInfoFiles(details: CommitDetails, where: { ref: string; branch?: string; shortRefFormat: string }): Record<string, string> {
  return {
    ref: `${where.ref}\n`,
    short_ref: where.shortRefFormat.replace('%s', where.ref.slice(0, 7)),
    commit_message: details.message,
    committer: details.authorEmail,
    author: details.authorName,
    branch: where.branch ?? '',
    tags: details.tags.join(','),
    commit_timestamp: details.committerDate,
  };
}
