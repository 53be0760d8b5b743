import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Runs git as a developer would, with no user or system config of this machine. */
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com' },
  }).trim();

export interface AppRepository {
  /** file:// URL of the bare repository. */
  uri: string;
  /** The bare repository, as the git server holds it (`<root>/app.git`). */
  bare: string;
  /** A developer's clone. */
  work: string;
  /** Writes the files in the clone, commits and pushes the current branch; returns the commit. */
  commit(files: Record<string, string>, message: string): string;
}

/** The user's repository: a bare one as the server holds it, and a developer's clone. */
export function appRepository(root: string): AppRepository {
  const bare = join(root, 'app.git');
  const work = join(root, 'work');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(root, 'clone', '-q', bare, work);
  return {
    uri: `file://${bare}`,
    bare,
    work,
    commit(files, message) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), text);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', message);
      git(work, 'push', '-q', 'origin', 'HEAD');
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}
