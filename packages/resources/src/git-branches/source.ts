import picomatch from 'picomatch';
import { wholeNameMatcher } from '../git/extended-regex.js';
import { compileSource, type GitSettings, type GitSource } from '../git/source.js';
import { ResourceError } from '../interface.js';

/** A git-branches resource's `source`: the git type's access fields and a name pattern. */
export type GitBranchesSource = Pick<GitSource, 'uri' | 'username' | 'password' | 'private_key' | 'private_key_user' | 'git_config' | 'skip_ssl_verification'> & {
  branches?: string;
  branch_regex?: string;
};

/** A source compiled once per call: how to reach the repository and which branch names count. */
export interface BranchWatch {
  git: GitSettings;
  /** For messages: `matching feature/*`, `matching /(feature|fix)\/.+/`, or `(every branch)`. */
  pattern: string;
  matches(name: string): boolean;
}

export function compileBranchWatch(source: GitBranchesSource): BranchWatch {
  const { branches, branch_regex: regex, ...access } = source;
  if (branches !== undefined && regex !== undefined) {
    throw new ResourceError(
      'git-branches-glob-and-regex',
      'the git-branches source sets both branches and branch_regex',
      'keep one: branches takes a glob such as feature/*, branch_regex a regular expression such as (feature|fix)/.+',
    );
  }
  const git = compileSource(access);
  if (regex !== undefined) return { git, pattern: `matching /${regex}/`, matches: regexMatcher(regex) };
  if (branches !== undefined) return { git, pattern: `matching ${branches}`, matches: globMatcher(branches) };
  return { git, pattern: '(every branch)', matches: () => true };
}

// picomatch rather than a hand-made translation: braces, classes and `**` as shells and
// .gitignore users expect, with `*` kept within one level (so `feature/*` is not `feature/a/b`).
function globMatcher(glob: string): (name: string) => boolean {
  try {
    return picomatch(glob, { dot: true });
  } catch (error) {
    throw new ResourceError('git-branches-glob-invalid', `branches ${JSON.stringify(glob)} is not a valid glob: ${(error as Error).message}`, 'write a glob matching whole branch names, e.g. feature/* or {feature,fix}/**');
  }
}

function regexMatcher(regex: string): (name: string) => boolean {
  return wholeNameMatcher(regex, { code: 'git-branches-regex-invalid', field: 'branch_regex', names: 'branch names', example: '(feature|fix)/[a-z0-9-]+' });
}
