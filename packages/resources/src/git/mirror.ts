import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ResourceError, type ResourceContext } from '../interface.js';
import type { GitRunner } from './git-runner.js';
import { KeyedMutex } from './keyed-mutex.js';

/** Check and get of one history share a mirror; git's own ref locks would make one of them fail. */
const MIRROR_LOCKS = new KeyedMutex();

/** `all` fetches every tag (and prunes deleted ones), `follow` the tags pointing into fetched history. */
export type TagFetch = 'none' | 'follow' | 'all';

/**
 * The bare clone kept in the resource's cache directory, fetched into on every use, so a check
 * or get transfers only what is new. It stores no remote URL: the URI (which may carry
 * credentials) is given to each fetch.
 */
export class Mirror {
  private constructor(
    readonly dir: string,
    private readonly git: GitRunner,
  ) {}

  /** Runs `work` while holding the mirror, creating the mirror on first use. */
  static async use<T>(ctx: ResourceContext, git: GitRunner, work: (mirror: Mirror) => Promise<T>): Promise<T> {
    const dir = resolve(ctx.cacheDir, 'mirror.git');
    try {
      return await MIRROR_LOCKS.runExclusive(dir, ctx.signal, async () => {
        if (!(await exists(join(dir, 'HEAD')))) await create(ctx, git, dir);
        return work(new Mirror(dir, git));
      });
    } catch (error) {
      if (ctx.signal.aborted && !(error instanceof ResourceError)) {
        throw new ResourceError('git-aborted', 'stopped while waiting for the resource cache, which another check or get was using');
      }
      throw error;
    }
  }

  async fetch(uri: string, refspecs: string[], tags: TagFetch, what: string): Promise<void> {
    const tagArgs = tags === 'none' ? ['--no-tags'] : [];
    const tagRefspecs = tags === 'all' ? ['+refs/tags/*:refs/tags/*'] : [];
    // --verbose: see GitRunner on commands that print nothing.
    await this.run(['fetch', '--verbose', '--prune', ...tagArgs, '--', uri, ...refspecs, ...tagRefspecs], what);
  }

  /** Fetches one commit by id; false when the server does not hand it out. */
  async fetchCommit(uri: string, commit: string): Promise<boolean> {
    const outcome = await this.git.attempt({ cwd: this.dir, args: ['fetch', '--no-tags', '--', uri, commit], what: `fetching commit ${commit}` });
    return outcome.exitCode === 0;
  }

  /** The full commit id `revision` names here, or undefined when the mirror lacks it. */
  async commitOf(revision: string): Promise<string | undefined> {
    const outcome = await this.git.attempt({ cwd: this.dir, args: ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], what: `looking up ${revision}` });
    return outcome.exitCode === 0 ? outcome.stdout.trim() : undefined;
  }

  /** Whether `commit` is in the history of `descendant` (false too when the mirror lacks it). */
  async isAncestor(commit: string, descendant: string): Promise<boolean> {
    // Not --is-ancestor, which prints nothing (see GitRunner): the merge base of an ancestor is itself.
    const outcome = await this.git.attempt({ cwd: this.dir, args: ['merge-base', commit, descendant], what: `comparing ${commit} with ${descendant}` });
    return outcome.exitCode === 0 && outcome.stdout.trim() === commit;
  }

  run(args: string[], what: string, input?: readonly string[]): Promise<string> {
    return this.git.run({ cwd: this.dir, args, what, ...(input && { input }) });
  }
}

async function create(ctx: ResourceContext, git: GitRunner, dir: string): Promise<void> {
  // Built aside and renamed into place, so the mirror never lacks its settings. (An interrupted
  // fetch needs no such care: git updates the refs only once the objects are in.)
  const partial = `${dir}.partial`;
  await mkdir(ctx.cacheDir, { recursive: true });
  await rm(partial, { recursive: true, force: true });
  await git.run({ cwd: ctx.cacheDir, args: ['init', '--bare', partial], what: 'creating the resource cache' });
  // gc in the foreground: a detached gc could prune objects while a later get copies them.
  await git.run({ cwd: partial, args: ['config', 'gc.autoDetach', 'false'], what: 'configuring the resource cache' });
  // A commit-graph makes walking 10,000s of commits (check with paths) several times faster.
  await git.run({ cwd: partial, args: ['config', 'fetch.writeCommitGraph', 'true'], what: 'configuring the resource cache' });
  await rename(partial, dir);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
