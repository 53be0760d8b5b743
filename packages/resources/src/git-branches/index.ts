import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { displayUri } from '../git/uri.js';
import { ResourceError, type ResourceContext, type ResourceType } from '../interface.js';
import { branchSetDigest, branchSetMetadata, describeChange, type BranchHead, type GitBranchesVersion } from './branch-set.js';
import { branchSlug } from './branch-slug.js';
import { listMatchingHeads } from './list-heads.js';
import { BranchSetHistory, type SeenSet } from './set-history.js';
import { compileBranchWatch, type GitBranchesSource } from './source.js';
import { gitBranchesGetParamsSchema, gitBranchesSourceSchema } from './source-schema.js';

export type { GitBranchesSource, GitBranchesVersion, BranchHead };

/**
 * Branches by pattern, in the shape of the pull-request watcher: each version is the whole set
 * of matching branches at their heads, so a watcher job triggered by it sets one pipeline
 * instance per branch, and a build that no longer sets a deleted branch's instance lets the
 * engine tear it down.
 */
export const gitBranchesResourceType: ResourceType<GitBranchesSource, GitBranchesVersion, Record<string, never>, Record<string, never>> = {
  name: 'git-branches',
  description: 'The set of branches of a git repository whose names match a glob or regex, and their heads: a version per change, and `branches.json` for a watcher that sets a pipeline per branch.',
  sourceSchema: gitBranchesSourceSchema,
  getParamsSchema: gitBranchesGetParamsSchema,

  async check(ctx, source) {
    const watch = compileBranchWatch(source);
    const heads = await listMatchingHeads(ctx, watch);
    const digest = branchSetDigest(heads);
    const history = new BranchSetHistory(ctx.cacheDir);
    const previous = await history.latest();
    const unchanged = previous !== undefined && previous.digest === digest;
    const seen: SeenSet = previous !== undefined && unchanged ? previous : { digest, heads, change: describeChange(previous?.heads, heads), seenAt: ctx.now().toISOString() };
    await history.record(seen);
    ctx.log(`${heads.length} branch${heads.length === 1 ? '' : 'es'} ${watch.pattern} in ${displayUri(watch.git.uri)}: ${unchanged ? 'unchanged' : seen.change}`);
    // Only the set as it is now: sets that came and went between two checks were never seen.
    return [{ version: versionOf(seen), metadata: branchSetMetadata(seen.heads, seen.change) }];
  },

  async get(ctx, source, version, _params, dir) {
    const history = new BranchSetHistory(ctx.cacheDir);
    const seen = (await history.find(version.digest, version.since)) ?? (await setIfStillCurrent(ctx, source, version));
    const listed = seen.heads.map((head) => ({ ...head, slug: branchSlug(head.name) }));
    await writeFile(join(dir, 'branches.json'), `${JSON.stringify(listed, null, 2)}\n`);
    ctx.log(`${seen.heads.length} branch${seen.heads.length === 1 ? '' : 'es'}: ${seen.heads.map((head) => head.name).join(', ') || '(none)'}`);
    return { version, metadata: branchSetMetadata(seen.heads, seen.change) };
  },

  async put() {
    throw new ResourceError(
      'git-branches-put-unsupported',
      'a git-branches resource cannot be put to: its versions are what the repository holds',
      'push with a `git` resource (source.branch, or params.branch), and keep this one as a get that triggers the watcher',
    );
  },
};

/** Without the check's memory (a cleared cache), the version can still be got while it is the repository's set. */
async function setIfStillCurrent(ctx: ResourceContext, source: GitBranchesSource, version: GitBranchesVersion): Promise<{ heads: BranchHead[]; change: string | undefined }> {
  const heads = await listMatchingHeads(ctx, compileBranchWatch(source));
  if (branchSetDigest(heads) !== version.digest) {
    throw new ResourceError(
      'git-branches-version-gone',
      `the set of branches ${version.digest} is neither the repository's now nor in weir's memory of earlier checks`,
      'the branches have changed since and the check history was cleared; run `weir check-resource` and use the newest version',
    );
  }
  return { heads, change: undefined };
}

function versionOf(seen: SeenSet): GitBranchesVersion {
  return { digest: seen.digest, branches: String(seen.heads.length), since: seen.seenAt };
}
