import { readFile, realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { commitMetadata, describeCommit, type CommitDetails } from './commit-details.js';
import { withGitAccess, type UnsafeAllowances } from './git-access.js';
import { GitRunner, type GitOutcome } from './git-runner.js';
import { compilePutParams, type PutOptions } from './put-params.js';
import { branchMovedOn, tagClash } from './push-rejection.js';
import { branchRef } from './remote-branch.js';
import { compileSource, type GitSettings, type GitSource, type GitVersion } from './source.js';
import { commitWebUrl, displayUri } from './uri.js';

/** Pushes after the branch moved on are retried this often (with rebase or merge), then the put fails. */
export const MAX_PUSH_ATTEMPTS = 5;

/** Rebase, merge and annotated tags need an identity; used only where the repository has none. */
const FALLBACK_IDENTITY = { 'user.name': 'weir', 'user.email': 'weir@localhost' };

/**
 * Concourse's git put: pushes HEAD of `repository` to the branch, tagging it first if asked, then
 * pushes the tags. When the branch moved on meanwhile, rebases (or merges) onto it and tries
 * again, at most MAX_PUSH_ATTEMPTS times.
 */
export async function putGit(ctx: ResourceContext, source: GitSource, params: Record<string, unknown>, workdir: string): Promise<Versioned<GitVersion>> {
  const settings = compileSource(source);
  const { options, ignored } = compilePutParams(params, workdir);
  for (const name of ignored) ctx.log(`params.${name} is not supported by weir's git resource; ignoring it`);
  const branch = options.branch ?? settings.branch;
  if (branch === undefined && !options.onlyTag) {
    throw new ResourceError('git-put-without-branch', `a put to ${displayUri(settings.uri)} needs a branch to push to`, 'set branch in the source or params.branch on the put (or only_tag: true to push tags alone)');
  }
  const tagName = options.tagFile ? `${options.tagPrefix}${await readParamFile(options.tagFile, 'tag', workdir)}` : undefined;

  return withGitAccess(settings, async (access) => {
    const git = new GitRunner(access, ctx);
    const repository = await Repository.open(git, options.repository, workdir);
    const built = await repository.head();
    const tag = async () => {
      if (!tagName) return;
      await repository.tag(tagName, options.annotationFile);
      ctx.log(`tagged ${(await repository.head()).slice(0, 7)} as ${tagName}${options.annotationFile ? ' (annotated)' : ''}`);
    };

    if (options.onlyTag) {
      await tag();
      await pushTags(repository, settings, options);
    } else {
      await pushBranch(ctx, repository, settings, options, branch!, built, tag);
      await pushTags(repository, settings, options);
    }

    const commit = options.returnUnmerged ? built : await repository.head();
    const version: GitVersion = settings.tags && tagName ? { ref: tagName, commit } : { ref: commit };
    if (options.branch) version.branch = options.branch;
    const details = await repository.describe(commit);
    const url = commitWebUrl(settings.uri, commit);
    return { version, metadata: commitMetadata(details, { ...(branch && { branch }), ...(url && { url }) }) };
  });
}

async function pushBranch(ctx: ResourceContext, repository: Repository, settings: GitSettings, options: PutOptions, branch: string, built: string, tag: () => Promise<void>): Promise<void> {
  const uri = displayUri(settings.uri);
  const target = branchRef(branch);
  for (let attempt = 1; ; attempt++) {
    await tag();
    const pushing = await repository.head();
    ctx.log(`pushing ${pushing.slice(0, 7)} to branch ${branch} of ${uri}${options.force ? ' (forced)' : ''}`);
    const outcome = await repository.attempt(['push', ...(options.force ? ['--force'] : []), '--', settings.uri, `HEAD:${target}`], `pushing to branch ${branch} of ${uri}`);
    if (outcome.exitCode === 0) return;
    if (!branchMovedOn(outcome.stderr)) throw repository.failure(`pushing to branch ${branch} of ${uri}`, outcome);
    if (options.reconcile === 'fail') {
      throw new ResourceError(
        'git-push-rejected',
        `branch ${branch} of ${uri} has commits that the repository being pushed does not have, so the push was rejected`,
        'set rebase: true (or merge: true) on the put to bring those commits in and push again, or force: true to overwrite them',
      );
    }
    if (attempt >= MAX_PUSH_ATTEMPTS) {
      throw new ResourceError(
        'git-push-retries-exhausted',
        `branch ${branch} of ${uri} kept moving on: ${MAX_PUSH_ATTEMPTS} pushes were rejected, each after a ${options.reconcile}`,
        'something else pushes to this branch constantly; retry the build later, or push to another branch',
      );
    }
    ctx.log(`branch ${branch} moved on; ${options.reconcile === 'rebase' ? 'rebasing onto' : 'merging'} it and trying again (attempt ${attempt + 1} of ${MAX_PUSH_ATTEMPTS})`);
    await repository.run(['fetch', '--no-tags', '--', settings.uri, target], `fetching branch ${branch} from ${uri}`);
    if (options.reconcile === 'rebase') await repository.rebaseOntoFetched(branch);
    else await repository.mergeFetched(branch, built);
  }
}

async function pushTags(repository: Repository, settings: GitSettings, options: PutOptions): Promise<void> {
  const uri = displayUri(settings.uri);
  const outcome = await repository.attempt(['push', '--tags', ...(options.force ? ['--force'] : []), '--', settings.uri], `pushing tags to ${uri}`);
  if (outcome.exitCode === 0) return;
  if (tagClash(outcome.stderr)) {
    const rejected = outcome.stderr
      .split('\n')
      .filter((line) => line.includes('[rejected]'))
      .map((line) => line.trim().replace(/\s+/g, ' '));
    throw new ResourceError(
      'git-push-tag-exists',
      `${uri} already has tags of the same names on other commits, so pushing the tags was rejected: ${rejected.join('; ')}`,
      'use a new tag name (or tag_prefix), or clean_tags: true on the get that fetched the repository so stale tags are not pushed back',
    );
  }
  throw repository.failure(`pushing tags to ${uri}`, outcome);
}

/**
 * A task made this repository, and git runs here on the engine host: its own settings must not
 * run programs (hooks, an fsmonitor, a credential helper, a signing program). Ownership is not
 * checked (safe.directory), since a task may run as another user.
 */
const DISARMED_REPOSITORY_CONFIG = ['safe.directory=*', 'core.hooksPath=/dev/null', 'core.fsmonitor=false', 'credential.helper=', 'commit.gpgSign=false', 'tag.gpgSign=false', 'tag.forceSignAnnotated=false'];
const DISARMING_ALLOWANCES: UnsafeAllowances = { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true, allowUnsafeCredentialHelper: true };

/** The repository being pushed, a build artifact. */
class Repository {
  private constructor(
    private readonly git: GitRunner,
    private readonly dir: string,
    private readonly config: string[],
  ) {}

  static async open(git: GitRunner, dir: string, workdir: string): Promise<Repository> {
    const notARepository = () =>
      new ResourceError(
        'git-put-not-a-repository',
        `params.repository (${relative(workdir, dir) || '.'}) is not a git repository with a commit to push`,
        'name the artifact of a get of this resource (or a task output) holding the repository with the commits to push',
      );
    const real = await realpath(dir).catch(() => undefined);
    if (!real) throw notARepository();
    const inRepository = (args: string[], what: string) => git.attempt({ cwd: real, args, what, config: DISARMED_REPOSITORY_CONFIG, unsafe: DISARMING_ALLOWANCES });
    // git looks upwards for a repository, and follows a .git file or core.worktree elsewhere:
    // the directory must be the repository's work tree, with the repository in its .git.
    const found = await inRepository(['rev-parse', '--show-toplevel', '--absolute-git-dir', 'HEAD^{commit}'], 'reading the repository');
    const [toplevel, gitDir] = found.stdout.split('\n');
    if (found.exitCode !== 0 || toplevel !== real || gitDir !== join(real, '.git')) throw notARepository();
    const configured = await inRepository(['config', '--get-regexp', '^user\\.(name|email)$'], 'reading the committer identity');
    const missing = Object.entries(FALLBACK_IDENTITY).filter(([name]) => !configured.stdout.split('\n').some((line) => line.startsWith(`${name} `)));
    return new Repository(git, real, [...DISARMED_REPOSITORY_CONFIG, ...missing.map(([name, value]) => `${name}=${value}`)]);
  }

  describe(commit: string): Promise<CommitDetails> {
    return describeCommit(this.git, this.dir, commit, this.config, DISARMING_ALLOWANCES);
  }

  async head(): Promise<string> {
    return (await this.run(['rev-parse', '--verify', 'HEAD^{commit}'], 'reading HEAD')).trim();
  }

  async tag(name: string, annotationFile: string | undefined): Promise<void> {
    const annotation = annotationFile ? ['--annotate', `--file=${annotationFile}`] : [];
    await this.run(['tag', '--force', ...annotation, '--', name, 'HEAD'], `tagging HEAD as ${name}`);
  }

  async rebaseOntoFetched(branch: string): Promise<void> {
    const outcome = await this.attempt(['rebase', '--rebase-merges', 'FETCH_HEAD'], `rebasing onto branch ${branch}`);
    if (outcome.exitCode === 0) return;
    await this.attempt(['rebase', '--abort'], 'abandoning the rebase');
    throw new ResourceError(
      'git-put-rebase-conflict',
      `rebasing onto the new commits of branch ${branch} failed: ${this.git.failure('rebasing', outcome.stderr + outcome.stdout).message}`,
      'the commits conflict with what was pushed meanwhile: resolve it in the pipeline (get the latest version and redo the change), or use merge: true',
    );
  }

  /** Merges the fetched branch into the commit that was built (not into an earlier attempt's merge). */
  async mergeFetched(branch: string, built: string): Promise<void> {
    await this.run(['reset', '--hard', '--quiet', built], 'going back to the commit that was built');
    const outcome = await this.attempt(['merge', '--no-edit', 'FETCH_HEAD'], `merging branch ${branch}`);
    if (outcome.exitCode === 0) return;
    await this.attempt(['merge', '--abort'], 'abandoning the merge');
    throw new ResourceError(
      'git-put-merge-conflict',
      `merging the new commits of branch ${branch} failed: ${this.git.failure('merging', outcome.stderr + outcome.stdout).message}`,
      'the commits conflict with what was pushed meanwhile: get the latest version and redo the change',
    );
  }

  run(args: string[], what: string): Promise<string> {
    return this.git.run({ cwd: this.dir, args, what, config: this.config, unsafe: DISARMING_ALLOWANCES });
  }

  attempt(args: string[], what: string): Promise<GitOutcome> {
    return this.git.attempt({ cwd: this.dir, args, what, config: this.config, unsafe: DISARMING_ALLOWANCES });
  }

  failure(what: string, outcome: GitOutcome): ResourceError {
    return this.git.failure(what, `${outcome.stderr}\n${outcome.stdout}`);
  }
}

async function readParamFile(path: string, param: string, workdir: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ResourceError('git-put-file-unreadable', `cannot read the file params.${param} names (${relative(workdir, path)}): ${error.code ?? error.message}`, 'check that an earlier step wrote it into an artifact of that name');
  });
  const value = text.trim();
  if (value === '') throw new ResourceError('git-put-file-empty', `the file params.${param} names (${relative(workdir, path)}) is empty`, 'write the tag name into it, e.g. 1.2.3');
  return value;
}
