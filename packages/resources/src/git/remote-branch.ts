import { ResourceError } from '../interface.js';
import type { GitRunner } from './git-runner.js';
import { displayUri } from './uri.js';

/**
 * Whether git would take `name` as a branch (git check-ref-format's rules, and no leading `-`),
 * so that it never reads as an option, a pattern or a path that climbs out of a directory.
 */
export function isValidBranchName(name: string): boolean {
  return (
    name !== '' &&
    name !== '@' &&
    !name.startsWith('-') &&
    // Control characters, space, and what git reserves for revisions and patterns.
    !/[\x00-\x20\x7f~^:?*[\\]/.test(name) &&
    !name.includes('..') &&
    !name.includes('@{') &&
    !name.endsWith('.') &&
    name.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'))
  );
}

/** `refs/heads/<branch>`, checked the way git checks branch names. */
export function branchRef(branch: string): string {
  if (!isValidBranchName(branch)) {
    throw new ResourceError('git-branch-invalid', `${JSON.stringify(branch)} is not a valid git branch name`, 'use the branch name as git shows it, e.g. main or release/1.x');
  }
  return `refs/heads/${branch}`;
}

/** The repository's default branch (what its HEAD points to), for sources that name no branch. */
export async function defaultBranch(git: GitRunner, cwd: string, uri: string): Promise<string> {
  const output = await git.run({ cwd, args: ['ls-remote', '--symref', '--', uri, 'HEAD'], what: `asking ${displayUri(uri)} for its default branch` });
  const branch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(output)?.[1];
  if (!branch) {
    throw new ResourceError('git-no-default-branch', `${displayUri(uri)} has no default branch (an empty repository?)`, 'set branch in the source');
  }
  return branch;
}

/** The commit a branch points to, asked without fetching anything. */
export async function remoteBranchCommit(git: GitRunner, cwd: string, uri: string, branch: string): Promise<string> {
  const ref = branchRef(branch);
  const output = await git.run({ cwd, args: ['ls-remote', '--', uri, ref], what: `asking ${displayUri(uri)} for branch ${branch}` });
  const commit = output.split('\n').find((line) => line.endsWith(`\t${ref}`))?.split('\t')[0];
  if (!commit) {
    throw new ResourceError('git-branch-not-found', `${displayUri(uri)} has no branch ${branch}`, 'check the branch name in the source; the repository has no such branch yet');
  }
  return commit;
}
