import { lstat, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { commitMetadata, describeCommit, type CommitDetails } from './commit-details.js';
import { withGitAccess } from './git-access.js';
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
  const { options } = compilePutParams(params, workdir);
  const branch = options.branch ?? settings.branch;
  if (branch === undefined && !options.onlyTag) {
    throw new ResourceError('git-put-without-branch', `a put to ${displayUri(settings.uri)} needs a branch to push to`, 'set branch in the source or params.branch on the put (or only_tag: true to push tags alone)');
  }
  const tagName = options.tagFile ? `${options.tagPrefix}${await readParamFile(options.tagFile, 'tag', workdir)}` : undefined;

  return withGitAccess(settings, async (access) => {
    const git = new GitRunner(access, ctx);
    const repository = await Repository.open(git, access.scratchDir, options.repository, workdir);
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

/** A full commit or object id, SHA-1 or SHA-256. */
const OBJECT_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The repository being pushed is a build artifact, and git running in it would apply its own
 * settings on the engine host: a URL rewrite to `ext::`, filter and merge drivers, hooks, an
 * alternate-refs command… No list of risky settings is complete, so git never runs in it. The
 * push goes from a fresh repository in the access's private directory, which reads the
 * artifact's objects as data (objects/info/alternates) and takes its HEAD commit and tags from
 * the ref files, read here. Rebases and merges happen there too; the artifact is left as built.
 */
class Repository {
  private constructor(
    private readonly git: GitRunner,
    private readonly dir: string,
    private readonly config: string[],
  ) {}

  static async open(git: GitRunner, scratchDir: string, artifact: string, workdir: string): Promise<Repository> {
    const notARepository = () =>
      new ResourceError(
        'git-put-not-a-repository',
        `params.repository (${relative(workdir, artifact) || '.'}) is not a git repository with a commit to push`,
        'name the artifact of a get of this resource (or a task output) holding the repository with the commits to push',
      );
    const real = await realpath(artifact).catch(() => undefined);
    if (!real) throw notARepository();
    const gitDir = join(real, '.git');
    // A .git file (a worktree, a submodule) or a symlink would point elsewhere on the engine host.
    if (!(await isDirectory(gitDir)) || !(await isDirectory(join(gitDir, 'objects')))) throw notARepository();
    if (await isPresent(join(gitDir, 'objects', 'info', 'alternates'))) {
      throw new ResourceError(
        'git-put-borrowed-objects',
        `the repository in params.repository (${relative(workdir, artifact)}) borrows objects from another repository (objects/info/alternates), which weir does not read on the engine host`,
        'make the repository self-contained before the put: git repack -a -d, then delete .git/objects/info/alternates (or clone without --shared/--reference)',
      );
    }
    const refs = await readRefs(gitDir);
    if (!refs.head) throw notARepository();

    const dir = join(scratchDir, 'push');
    await git.run({ cwd: scratchDir, args: ['init', '--initial-branch=built', '--', dir], what: 'creating the repository to push from' });
    await writeFile(join(dir, '.git', 'objects', 'info', 'alternates'), `${join(gitDir, 'objects')}\n`);
    // Read as a file of data: `--file` applies nothing from it and follows no includes.
    const configured = await git.attempt({ cwd: scratchDir, args: ['config', '--file', join(gitDir, 'config'), '--get-regexp', '^user\\.(name|email)$'], what: 'reading the committer identity' });
    const identity = configured.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(' ', '='));
    const missing = Object.entries(FALLBACK_IDENTITY).filter(([name]) => !identity.some((entry) => entry.startsWith(`${name}=`)));
    const repository = new Repository(git, dir, [...identity, ...missing.map(([name, value]) => `${name}=${value}`)]);

    const found = await repository.attempt(['rev-parse', '--verify', '--quiet', `${refs.head}^{commit}`], 'reading HEAD');
    if (found.exitCode !== 0) throw notARepository();
    await repository.run(['update-ref', '--stdin'], 'copying HEAD and the tags of the repository', [`update HEAD ${refs.head}`, ...refs.tags.map(([name, id]) => `create ${name} ${id}`)]);
    return repository;
  }

  describe(commit: string): Promise<CommitDetails> {
    return describeCommit(this.git, this.dir, commit, this.config);
  }

  async head(): Promise<string> {
    return (await this.run(['rev-parse', '--verify', 'HEAD^{commit}'], 'reading HEAD')).trim();
  }

  async tag(name: string, annotationFile: string | undefined): Promise<void> {
    const annotation = annotationFile ? ['--annotate', `--file=${annotationFile}`] : [];
    await this.run(['tag', '--force', ...annotation, '--', name, 'HEAD'], `tagging HEAD as ${name}`);
  }

  async rebaseOntoFetched(branch: string): Promise<void> {
    // The fresh repository starts without a checkout; rebase needs one.
    await this.run(['reset', '--hard', '--quiet', 'HEAD'], 'checking out HEAD');
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

  run(args: string[], what: string, input?: readonly string[]): Promise<string> {
    return this.git.run({ cwd: this.dir, args, what, config: this.config, ...(input && { input }) });
  }

  attempt(args: string[], what: string): Promise<GitOutcome> {
    return this.git.attempt({ cwd: this.dir, args, what, config: this.config });
  }

  failure(what: string, outcome: GitOutcome): ResourceError {
    return this.git.failure(what, `${outcome.stderr}\n${outcome.stdout}`);
  }
}

/**
 * HEAD's commit and the tags of the repository in `gitDir`, read from the loose ref files and
 * packed-refs as git would read them. Values are only checked for shape here; the fresh
 * repository's update-ref checks the names and that the objects exist.
 */
async function readRefs(gitDir: string): Promise<{ head: string | undefined; tags: Array<[string, string]> }> {
  const packed = new Map<string, string>();
  for (const line of (await readFile(join(gitDir, 'packed-refs'), 'utf8').catch(() => '')).split('\n')) {
    const [id = '', name = ''] = line.split(' ');
    if (OBJECT_ID.test(id) && name.startsWith('refs/')) packed.set(name, id);
  }
  const resolve = async (name: string, hops = 0): Promise<string | undefined> => {
    // Symbolic refs chain at most a few times; a name must not climb out of the .git directory.
    if (hops > 5 || !(name === 'HEAD' || name.startsWith('refs/')) || name.split('/').some((part) => part === '..' || part === '')) return undefined;
    const loose = await readFile(join(gitDir, name), 'utf8').catch(() => undefined);
    if (loose === undefined) return packed.get(name);
    const content = loose.trim();
    if (content.startsWith('ref: ')) return resolve(content.slice('ref: '.length).trim(), hops + 1);
    return OBJECT_ID.test(content) ? content : undefined;
  };
  const tagNames = new Set([...packed.keys()].filter((name) => name.startsWith('refs/tags/')));
  for (const name of await looseRefNames(gitDir, 'refs/tags')) tagNames.add(name);
  const tags: Array<[string, string]> = [];
  for (const name of [...tagNames].sort()) {
    const id = await resolve(name);
    if (id) tags.push([name, id]);
  }
  return { head: await resolve('HEAD'), tags };
}

/** The ref files under `prefix` (symlinks skipped, and lock files of an interrupted update). */
async function looseRefNames(gitDir: string, prefix: string): Promise<string[]> {
  const entries = await readdir(join(gitDir, prefix), { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    const name = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) names.push(...(await looseRefNames(gitDir, name)));
    else if (entry.isFile() && !entry.name.endsWith('.lock')) names.push(name);
  }
  return names;
}

/** A directory itself, not a symlink to one. */
async function isDirectory(path: string): Promise<boolean> {
  return lstat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

async function isPresent(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function readParamFile(path: string, param: string, workdir: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ResourceError('git-put-file-unreadable', `cannot read the file params.${param} names (${relative(workdir, path)}): ${error.code ?? error.message}`, 'check that an earlier step wrote it into an artifact of that name');
  });
  const value = text.trim();
  if (value === '') throw new ResourceError('git-put-file-empty', `the file params.${param} names (${relative(workdir, path)}) is empty`, 'write the tag name into it, e.g. 1.2.3');
  return value;
}
