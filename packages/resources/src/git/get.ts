import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { commitMetadata, describeCommit, worktreeInfoFiles } from './commit-details.js';
import { withGitAccess } from './git-access.js';
import { GitRunner } from './git-runner.js';
import { compileGetParams, type GetOptions } from './get-params.js';
import { Mirror, type TagFetch } from './mirror.js';
import { branchRef, defaultBranch } from './remote-branch.js';
import { compileSource, isCommitId, type GitSource, type GitVersion } from './source.js';
import { commitWebUrl, displayUri } from './uri.js';

/**
 * Fetches into the cached mirror, copies the version out of it into `dir` (hard links, or a
 * shallow fetch of exactly `depth` commits ending at the version), and checks it out: a normal
 * repository whose `origin` is the source's URI, with Concourse's `.git/` info files.
 */
export async function getGit(ctx: ResourceContext, source: GitSource, version: GitVersion, params: Record<string, unknown>, dir: string): Promise<Versioned<GitVersion>> {
  const settings = compileSource(source);
  const { options } = compileGetParams(params);
  const uri = displayUri(settings.uri);

  return withGitAccess(settings, async (access) => {
    const git = new GitRunner(access, ctx);
    const tagMode = settings.tags !== undefined;
    const branch = version.branch ?? settings.branch ?? (tagMode ? undefined : await defaultBranch(git, access.scratchDir, settings.uri));
    const tags: TagFetch = tagMode ? 'all' : tagFetch(options.fetchTags ?? settings.fetchTags);

    const commit = await Mirror.use(ctx, git, async (mirror) => {
      const ref = branch === undefined ? undefined : branchRef(branch);
      await mirror.fetch(settings.uri, ref ? [`+${ref}:${ref}`] : [], tags, `fetching ${branch ? `branch ${branch}` : 'tags'} from ${uri}`);
      const wanted = version.commit ?? (isCommitId(version.ref) ? version.ref : `refs/tags/${version.ref}`);
      let found = await mirror.commitOf(wanted);
      // A version off the branch (pushed elsewhere, or pinned): servers hand out reachable commits by id.
      if (!found && isCommitId(wanted) && (await mirror.fetchCommit(settings.uri, wanted))) found = await mirror.commitOf(wanted);
      if (!found) {
        throw new ResourceError(
          'git-version-not-found',
          `${isCommitId(wanted) ? `commit ${wanted}` : `tag ${version.ref}`} is not in ${uri}${branch ? ` (branch ${branch})` : ''}`,
          'it was probably removed by a force push or a deleted tag; check the resource again and use a version it finds',
        );
      }
      await copyOut(git, mirror, access.scratchDir, dir, found, options.depth, tags === 'none');
      return found;
    });

    const inWorktree = (args: string[], what: string, input?: string[]) => git.run({ cwd: dir, args, what, ...(input && { input }) });
    // The copy's origin is the mirror (or nothing, when shallow); tasks expect the repository itself.
    const hasOrigin = options.depth === undefined;
    await inWorktree(['remote', hasOrigin ? 'set-url' : 'add', 'origin', uri], 'pointing origin at the source');
    await inWorktree(branch && !tagMode ? ['checkout', '-B', branch, commit] : ['checkout', '--detach', commit], `checking out ${commit}`);
    await updateSubmodules(inWorktree, dir, options);

    const details = await describeCommit(git, dir, commit);
    const files = worktreeInfoFiles(details, { ref: version.ref, ...(branch && { branch }), shortRefFormat: options.shortRefFormat });
    for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, '.git', name), contents);
    if (options.cleanTags) {
      const deletions = (await inWorktree(['for-each-ref', '--format=delete %(refname)', 'refs/tags'], 'listing tags')).split('\n').filter((line) => line !== '');
      if (deletions.length > 0) await inWorktree(['update-ref', '--stdin'], 'deleting the tags (clean_tags)', deletions);
    }

    const url = commitWebUrl(settings.uri, commit);
    const metadata = commitMetadata(details, { ...(branch && { branch }), ...(url && { url }) });
    ctx.log(`fetched ${uri} at ${commit.slice(0, 7)}${branch ? ` on ${branch}` : ''}${tagMode ? ` (tag ${version.ref})` : ''}`);
    ctx.log(`${details.authorName} <${details.authorEmail}>, ${details.authorDate}: ${details.message.split('\n')[0]}`);
    return { version, metadata };
  });
}

/** fetch_tags as Concourse reads it: true fetches every tag, false none, unset the ones in the fetched history. */
function tagFetch(fetchTags: boolean | undefined): TagFetch {
  if (fetchTags === undefined) return 'follow';
  return fetchTags ? 'all' : 'none';
}

async function copyOut(git: GitRunner, mirror: Mirror, scratchDir: string, dir: string, commit: string, depth: number | undefined, noTags: boolean): Promise<void> {
  const tagArgs = noTags ? ['--no-tags'] : [];
  if (depth === undefined) {
    // A local clone hard-links the mirror's objects: no pack is computed, however big the history.
    await git.run({ cwd: scratchDir, args: ['clone', '--no-checkout', ...tagArgs, '--', mirror.dir, dir], what: 'copying the repository out of the resource cache' });
    return;
  }
  await git.run({ cwd: scratchDir, args: ['init', '--', dir], what: 'creating the repository' });
  // By id, so the history ends at the version however far the branch has moved on since.
  await git.run({ cwd: dir, args: ['fetch', '--verbose', `--depth=${depth}`, ...tagArgs, '--', pathToFileURL(mirror.dir).href, commit], what: `copying ${depth} commits out of the resource cache` });
}

type RunInWorktree = (args: string[], what: string) => Promise<string>;

async function updateSubmodules(inWorktree: RunInWorktree, dir: string, options: GetOptions): Promise<void> {
  if (options.submodules === 'none' || !existsSync(join(dir, '.gitmodules'))) return;
  const args = ['submodule', 'update', '--init', ...(options.submoduleRecursive ? ['--recursive'] : []), ...(options.depth ? [`--depth=${options.depth}`] : [])];
  const paths = options.submodules === 'all' ? [] : ['--', ...options.submodules];
  await inWorktree([...args, ...paths], 'fetching submodules');
}
