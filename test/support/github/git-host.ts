import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CommitSpec {
  /** Files to write, by path; a null deletes the file. */
  files?: Record<string, string | null>;
  message?: string;
  /** Author and committer date; lets tests push commits with old dates (a rebase, a force push). */
  date?: Date;
}

export interface FileChange {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  previousFilename?: string;
}

export interface CommitFacts {
  sha: string;
  tree: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerDate: string;
  message: string;
}

/**
 * The git side of the simulated GitHub: a bare repository (what `clone_url` points at) with
 * branches and `refs/pull/N/head` as GitHub keeps them, and a work tree the simulator commits in.
 * Real git throughout, so what `get` clones is what the API said.
 */
export class GitHost {
  private constructor(
    readonly root: string,
    readonly bare: string,
    private readonly work: string,
  ) {}

  static async create(defaultBranch: string): Promise<GitHost> {
    const root = await mkdtemp(join(tmpdir(), 'weir-github-'));
    const host = new GitHost(root, join(root, 'origin.git'), join(root, 'work'));
    await run('git', ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, host.bare]);
    // GitHub serves any commit by sha, even one no ref reaches any more (a force-pushed head).
    await host.git(host.bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    await run('git', ['init', '--quiet', `--initial-branch=${defaultBranch}`, host.work]);
    await host.commit(defaultBranch, { files: { 'README.md': '# app\n' }, message: 'initial commit' });
    return host;
  }

  /** Commits on `branch` (created from `from` when new) and pushes it; returns the sha. */
  async commit(branch: string, spec: CommitSpec, from?: string): Promise<string> {
    const exists = await this.git(this.bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).then(
      () => true,
      () => false,
    );
    if (exists) {
      await this.git(this.work, 'fetch', '--quiet', this.bare, `+refs/heads/${branch}:refs/remotes/origin/${branch}`);
      await this.git(this.work, 'checkout', '--quiet', '-B', branch, `refs/remotes/origin/${branch}`);
    } else if (from !== undefined) {
      await this.git(this.work, 'fetch', '--quiet', this.bare, from);
      await this.git(this.work, 'checkout', '--quiet', '-B', branch, 'FETCH_HEAD');
    } else {
      await this.git(this.work, 'checkout', '--quiet', '--orphan', branch);
    }
    return this.commitHere(branch, spec, false);
  }

  /** Replaces `branch` with one new commit on `onto` (a force push); returns the sha. */
  async forcePush(branch: string, onto: string, spec: CommitSpec): Promise<string> {
    await this.git(this.work, 'fetch', '--quiet', this.bare, onto);
    await this.git(this.work, 'checkout', '--quiet', '-B', branch, 'FETCH_HEAD');
    return this.commitHere(branch, spec, true);
  }

  /** A merge commit of `head` into `base` on `base`, as the merge button makes; returns its sha. */
  async merge(base: string, head: string, message: string): Promise<string> {
    await this.git(this.work, 'fetch', '--quiet', this.bare, `+refs/heads/${base}:refs/remotes/origin/${base}`, head);
    await this.git(this.work, 'checkout', '--quiet', '-B', base, `refs/remotes/origin/${base}`);
    await this.git(this.work, '-c', 'user.name=GitHub', '-c', 'user.email=noreply@github.com', 'merge', '--quiet', '--no-ff', '-m', message, head);
    await this.git(this.work, 'push', '--quiet', this.bare, `${base}:refs/heads/${base}`);
    return this.revParse('HEAD');
  }

  async setRef(ref: string, sha: string): Promise<void> {
    await this.git(this.bare, 'update-ref', ref, sha);
  }

  async revParse(rev: string, where: 'work' | 'bare' = 'work'): Promise<string> {
    return (await this.git(where === 'work' ? this.work : this.bare, 'rev-parse', rev)).trim();
  }

  /** Files changed between the merge base of base and head, and head: what GitHub lists for a PR. */
  async changedFiles(baseSha: string, headSha: string): Promise<FileChange[]> {
    const mergeBase = (await this.git(this.bare, 'merge-base', baseSha, headSha)).trim();
    const out = await this.git(this.bare, 'diff', '--name-status', '-M', mergeBase, headSha);
    return out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [code = '', first = '', second] = line.split('\t');
        if (code.startsWith('R')) return { filename: second!, status: 'renamed', previousFilename: first };
        return { filename: first, status: code === 'A' ? 'added' : code === 'D' ? 'removed' : 'modified' };
      });
  }

  async commitCount(baseSha: string, headSha: string): Promise<number> {
    return Number((await this.git(this.bare, 'rev-list', '--count', `${baseSha}..${headSha}`)).trim());
  }

  async commitFacts(sha: string): Promise<CommitFacts | undefined> {
    const out = await this.git(this.bare, 'show', '--no-patch', '--format=%H%n%T%n%P%n%an%n%ae%n%aI%n%cI%n%B', sha).catch(() => undefined);
    if (out === undefined) return undefined;
    const [full = '', tree = '', parents = '', authorName = '', authorEmail = '', authorDate = '', committerDate = '', ...message] = out.split('\n');
    return { sha: full, tree, parents: parents.split(' ').filter(Boolean), authorName, authorEmail, authorDate, committerDate, message: message.join('\n').trimEnd() };
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private async commitHere(branch: string, spec: CommitSpec, force: boolean): Promise<string> {
    for (const [path, contents] of Object.entries(spec.files ?? { [`change-${Date.now()}-${Math.random()}.txt`]: 'change\n' })) {
      const target = join(this.work, path);
      if (contents === null) {
        await this.git(this.work, 'rm', '--quiet', path);
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, contents);
      await this.git(this.work, 'add', path);
    }
    const date = (spec.date ?? new Date()).toISOString();
    await this.git(this.work, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '--allow-empty', '-m', spec.message ?? 'change', {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    await this.git(this.work, 'push', '--quiet', ...(force ? ['--force'] : []), this.bare, `${branch}:refs/heads/${branch}`);
    return this.revParse('HEAD');
  }

  private async git(cwd: string, ...args: Array<string | Record<string, string>>): Promise<string> {
    const env = args.find((arg): arg is Record<string, string> => typeof arg === 'object');
    const argv = args.filter((arg): arg is string => typeof arg === 'string');
    const { stdout } = await run('git', argv, { cwd, env: { ...process.env, ...env } });
    return stdout;
  }
}
