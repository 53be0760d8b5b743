import type { ResourceContext, Versioned } from '../interface.js';
import { withGitAccess } from './git-access.js';
import { GitRunner } from './git-runner.js';
import { selectCommits } from './history.js';
import { Mirror } from './mirror.js';
import { branchRef, defaultBranch, remoteBranchCommit } from './remote-branch.js';
import { compileSource, isCommitId, needsOnlyNewestCommit, type GitSettings, type GitSource, type GitVersion, type TagSelector } from './source.js';
import { newestPassingTags, parseTagList, TAG_LIST_FORMAT, tagsSince, type TagRef } from './tags.js';
import { displayUri } from './uri.js';

/**
 * Concourse's git check: commits of the branch's first-parent history, oldest → newest, from
 * `from` (inclusive) on; without `from`, or when `from` left the branch (a force push), the
 * newest `version_depth` commits. In tag mode, the newest `version_depth` matching tags.
 */
export async function checkGit(ctx: ResourceContext, source: GitSource, from?: GitVersion): Promise<Versioned<GitVersion>[]> {
  const settings = compileSource(source);
  return withGitAccess(settings, async (access) => {
    const git = new GitRunner(access, ctx);
    if (settings.tags) return checkTags(ctx, git, settings, settings.tags, from);
    const branch = settings.branch ?? (await defaultBranch(git, access.scratchDir, settings.uri));
    if (needsOnlyNewestCommit(settings)) {
      const newest = await remoteBranchCommit(git, access.scratchDir, settings.uri, branch);
      if (!from || from.ref === newest) return [{ version: { ref: newest } }];
    }
    return checkCommits(ctx, git, settings, branch, from);
  });
}

async function checkCommits(ctx: ResourceContext, git: GitRunner, settings: GitSettings, branch: string, from: GitVersion | undefined): Promise<Versioned<GitVersion>[]> {
  const ref = branchRef(branch);
  return Mirror.use(ctx, git, async (mirror) => {
    await mirror.fetch(settings.uri, [`+${ref}:${ref}`], 'none', `fetching branch ${branch} from ${displayUri(settings.uri)}`);
    let since: string | undefined;
    if (from) {
      if (isCommitId(from.ref) && (await mirror.isAncestor(from.ref, ref))) since = from.ref;
      else ctx.log(`commit ${from.ref} is no longer on branch ${branch} (was it force-pushed?); starting over from the newest commit`);
    }
    const commits = await selectCommits(mirror, { tip: ref, ...(since && { since }) }, settings.filters, since ? undefined : settings.versionDepth);
    return commits.reverse().map((commit) => ({ version: { ref: commit } }));
  });
}

async function checkTags(ctx: ResourceContext, git: GitRunner, settings: GitSettings, selector: TagSelector, from: GitVersion | undefined): Promise<Versioned<GitVersion>[]> {
  const ref = settings.branch === undefined ? undefined : branchRef(settings.branch);
  return Mirror.use(ctx, git, async (mirror) => {
    await mirror.fetch(settings.uri, ref ? [`+${ref}:${ref}`] : [], 'all', `fetching tags${settings.branch ? ` and branch ${settings.branch}` : ''} from ${displayUri(settings.uri)}`);
    const listTags = async (containing?: string): Promise<TagRef[]> => {
      const args = ['tag', '--list', '--sort=creatordate', `--format=${TAG_LIST_FORMAT}`, ...(ref ? ['--merged', ref] : []), ...(containing ? ['--contains', containing] : [])];
      const tags = parseTagList(await mirror.run([...args, '--', ...('glob' in selector ? [selector.glob] : [])], 'listing tags'));
      return 'regex' in selector ? tags.filter((tag) => selector.matches(tag.name)) : tags;
    };

    let tags: TagRef[] | undefined;
    if (from) {
      if (ref) {
        // With a branch, Concourse resumes at the tags on commits that contain the last one.
        const fromCommit = await mirror.commitOf(`refs/tags/${from.ref}`);
        if (fromCommit) tags = await listTags(fromCommit);
      } else {
        tags = tagsSince(await listTags(), from.ref);
      }
      if (!tags) ctx.log(`tag ${from.ref} no longer exists; starting over from the newest tag`);
    }
    tags ??= await listTags();
    const passing = new Set(await selectCommits(mirror, { commits: [...new Set(tags.map((tag) => tag.commit))] }, settings.filters));
    return newestPassingTags(tags, passing, settings.versionDepth).map((tag) => ({ version: { ref: tag.name, commit: tag.commit } }));
  });
}
