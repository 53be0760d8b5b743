import { withGitAccess } from '../git/git-access.js';
import { GitRunner } from '../git/git-runner.js';
import { displayUri } from '../git/uri.js';
import type { ResourceContext } from '../interface.js';
import { matchingHeads, parseHeads, type BranchHead } from './branch-set.js';
import type { BranchWatch } from './source.js';

/**
 * The repository's matching branches and their heads, asked with `git ls-remote` through the
 * git type's access (credentials, git_config, ssh key): nothing is fetched.
 */
export async function listMatchingHeads(ctx: ResourceContext, watch: BranchWatch): Promise<BranchHead[]> {
  const output = await withGitAccess(watch.git, (access) =>
    new GitRunner(access, ctx).run({ cwd: access.scratchDir, args: ['ls-remote', '--heads', '--', watch.git.uri], what: `listing the branches of ${displayUri(watch.git.uri)}` }),
  );
  const { heads, refused } = parseHeads(output);
  if (refused.length > 0) ctx.log(`ignored ${refused.length} ref${refused.length === 1 ? '' : 's'} that git would not take as a branch name, or that holds ((: ${refused.map((name) => JSON.stringify(ctx.redact(name))).join(', ')}`);
  return matchingHeads(heads, watch.matches);
}
