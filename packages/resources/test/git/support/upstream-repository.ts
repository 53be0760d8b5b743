import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** git for test setup: no host config, a fixed identity. */
export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Ada Author',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada Author',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
      ...env,
    },
  }).trim();
}

/**
 * A repository as a git server holds it (bare, `<root>/<name>.git`, what the resource talks to)
 * and a working clone next to it where tests make commits and push them, as a developer would.
 * Commit and tag dates advance a minute per step, so "newest" never depends on timing.
 */
export class UpstreamRepository {
  private step = 0;

  private constructor(
    readonly bareDir: string,
    readonly workDir: string,
    readonly branch: string,
  ) {}

  static create(root: string, name = 'repo', branch = 'main'): UpstreamRepository {
    const bareDir = join(root, `${name}.git`);
    const workDir = join(root, `${name}-work`);
    mkdirSync(root, { recursive: true });
    git(root, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bareDir]);
    git(root, ['init', '--quiet', `--initial-branch=${branch}`, workDir]);
    git(workDir, ['remote', 'add', 'origin', bareDir]);
    return new UpstreamRepository(bareDir, workDir, branch);
  }

  get fileUri(): string {
    return pathToFileURL(this.bareDir).href;
  }

  /** Commits on the current branch of the working clone (files: contents, or null to delete) and pushes it; returns the commit. */
  commit(message: string, files: Record<string, string | null> = {}): string {
    for (const [path, contents] of Object.entries(files)) {
      const file = join(this.workDir, path);
      if (contents === null) {
        rmSync(file, { force: true });
      } else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, contents);
      }
    }
    git(this.workDir, ['add', '--all']);
    git(this.workDir, ['commit', '--quiet', '--allow-empty', '-m', message], this.nextDates());
    git(this.workDir, ['push', '--quiet', 'origin', 'HEAD']);
    return this.head();
  }

  /** Brings the working clone up to the server's branch, after someone else (a put) pushed to it. */
  sync(): void {
    git(this.workDir, ['fetch', '--quiet', 'origin']);
    git(this.workDir, ['reset', '--quiet', '--hard', `origin/${this.branch}`]);
  }

  /** Tags a commit (HEAD by default); annotated when given a message. */
  tag(name: string, options: { message?: string; at?: string } = {}): void {
    const annotation = options.message === undefined ? [] : ['-a', '-m', options.message];
    git(this.workDir, ['tag', '--force', ...annotation, name, options.at ?? 'HEAD'], this.nextDates());
    git(this.workDir, ['push', '--quiet', '--force', 'origin', `refs/tags/${name}`]);
  }

  deleteTag(name: string): void {
    git(this.workDir, ['tag', '--delete', name]);
    git(this.workDir, ['push', '--quiet', 'origin', `:refs/tags/${name}`]);
  }

  /** Rewrites the branch to `commit` and force-pushes, as after a `git reset` upstream. */
  forcePushTo(commit: string): void {
    git(this.workDir, ['reset', '--quiet', '--hard', commit]);
    git(this.workDir, ['push', '--quiet', '--force', 'origin', 'HEAD']);
  }

  /** Switches the working clone to `branch`, creating it at HEAD if new. */
  switchTo(branch: string): void {
    const exists = git(this.workDir, ['branch', '--list', branch]) !== '';
    git(this.workDir, ['checkout', '--quiet', ...(exists ? [] : ['-b']), branch]);
  }

  /** Merges `branch` into the current branch with a merge commit and pushes; returns the merge. */
  merge(branch: string, message: string): string {
    git(this.workDir, ['merge', '--quiet', '--no-ff', '-m', message, branch], this.nextDates());
    git(this.workDir, ['push', '--quiet', 'origin', 'HEAD']);
    return git(this.workDir, ['rev-parse', 'HEAD']);
  }

  /** The branch tip as the server has it. */
  head(branch = this.branch): string {
    return git(this.bareDir, ['rev-parse', `refs/heads/${branch}`]);
  }

  private nextDates(): Record<string, string> {
    this.step += 1;
    const date = `${1_700_000_000 + this.step * 60} +0000`;
    return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  }
}
