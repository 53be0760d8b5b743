import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withGitAccess } from '../git/git-access.js';
import { GitRunner } from '../git/git-runner.js';
import { compileSource as compileGitSource } from '../git/source.js';
import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { loadSavedCheckState } from './check-state.js';
import { GithubApi, type PullSummary } from './github-api.js';
import { openVersions } from './history.js';
import { pullMetadata } from './pull-metadata.js';
import type { GithubPrSettings, PrVersion } from './source.js';

type IntegrationTool = 'merge' | 'rebase' | 'checkout';

export interface GithubPrGetParams {
  integration_tool?: IntegrationTool;
  list_changed_files?: boolean;
  skip_download?: boolean;
}

/** weir's merges and rebases are its own, in the build's directory only; they need a committer. */
const COMMITTER = ['user.name=weir', 'user.email=weir@localhost'];

/**
 * Fetches the PR's version into `dir` (unless `skip_download`) and writes facts about the PR,
 * and the versions of every PR open at the latest check, to `.git/resource/`.
 */
export async function getPullRequest(ctx: ResourceContext, settings: GithubPrSettings, version: PrVersion, params: GithubPrGetParams, dir: string): Promise<Versioned<PrVersion>> {
  const api = new GithubApi(settings, ctx);
  const pull = await api.pull(Number(version.pr));
  const tool = params.integration_tool ?? 'merge';
  // Without a fetch, the base GitHub last compared the PR against is the only base there is.
  const baseSha = params.skip_download ? pull.baseSha : await download(ctx, settings, version, pull, tool, dir);

  const metadata = pullMetadata(pull, version, baseSha);
  const resourceDir = join(dir, '.git', 'resource');
  await mkdir(resourceDir, { recursive: true });
  for (const { name, value } of metadata) if (name !== 'committed') await writeFile(join(resourceDir, name), value);
  await writeFile(join(resourceDir, 'version.json'), JSON.stringify(version));
  await writeFile(join(resourceDir, 'metadata.json'), JSON.stringify(metadata));
  if (params.list_changed_files) await writeFile(join(resourceDir, 'changed_files'), `${(await api.changedFiles(Number(version.pr))).join('\n')}\n`);
  // From the check's memory, not from this version: a watcher's build sets a pipeline for every
  // PR still open, whichever PR's version triggered it, and a version can only speak for its own
  // PR. It is what the resource's latest check saw, which may be newer than the version fetched.
  const checked = await loadSavedCheckState(ctx.cacheDir);
  // Without a saved check, "open now" is unknown: an empty list would tell a watcher that every
  // PR is gone. No file makes its load_var, and so its build, fail instead.
  if (checked) await writeFile(join(resourceDir, 'open_pulls.json'), JSON.stringify(openVersions(checked.history)));
  else ctx.log('open_pulls.json is not written: no check of this resource has been saved here yet, so which PRs are open is not known');
  if (params.skip_download) ctx.log(`skipped downloading pull request #${version.pr} at ${version.commit.slice(0, 7)} (skip_download): only its facts are in .git/resource`);
  else ctx.log(`fetched pull request #${version.pr} at ${version.commit.slice(0, 7)}${tool === 'checkout' ? '' : ` (${tool === 'merge' ? 'merged with' : 'rebased onto'} ${pull.baseRef} at ${baseSha.slice(0, 7)})`}`);
  return { version, metadata };
}

/**
 * Clones the PR's base branch and head commit from the repository GitHub names (`clone_url`,
 * which also holds `refs/pull/N/head`, even for forks), then leaves the directory at the head,
 * or at the head merged into or rebased onto the base. Returns the base commit it used.
 */
async function download(ctx: ResourceContext, settings: GithubPrSettings, version: PrVersion, pull: PullSummary, tool: IntegrationTool, dir: string): Promise<string> {
  const remoteBase = `refs/remotes/origin/${pull.baseRef}`;
  const gitSettings = compileGitSource({ uri: pull.cloneUrl, ...(settings.token !== undefined && { username: 'x-access-token', password: settings.token }) });
  return withGitAccess(gitSettings, async (access) => {
    const git = new GitRunner(access, ctx);
    await git.run({ cwd: dir, args: ['init', `--initial-branch=pr-${version.pr}`, '.'], what: 'creating the repository' });
    await git.run({
      cwd: dir,
      args: ['fetch', '--verbose', '--no-tags', gitSettings.uri, `+refs/heads/${pull.baseRef}:${remoteBase}`, `+refs/pull/${version.pr}/head:refs/remotes/origin/pr/${version.pr}`],
      what: `fetching pull request #${version.pr} and ${pull.baseRef}`,
    });
    const present = await git.attempt({ cwd: dir, args: ['cat-file', '-e', `${version.commit}^{commit}`], what: 'looking for the commit' });
    if (present.exitCode !== 0) {
      // A force push moved the PR past this version; GitHub still serves the commit by sha.
      const fetched = await git.attempt({ cwd: dir, args: ['fetch', '--verbose', '--no-tags', gitSettings.uri, version.commit], what: `fetching commit ${version.commit}` });
      if (fetched.exitCode !== 0) {
        throw new ResourceError(
          'github-pr-commit-gone',
          `commit ${version.commit} of pull request #${version.pr} is no longer in ${settings.owner}/${settings.repo}`,
          'the PR was force-pushed and GitHub dropped the old commit; use a newer version of the resource',
        );
      }
    }
    const base = (await git.run({ cwd: dir, args: ['rev-parse', remoteBase], what: 'reading the base commit' })).trim();
    await git.run({ cwd: dir, args: ['checkout', '--quiet', '-B', `pr-${version.pr}`, version.commit], what: `checking out ${version.commit}` });
    if (tool === 'merge') {
      const merged = await git.attempt({ cwd: dir, args: ['merge', '--no-ff', '--no-edit', '-m', `Merge ${pull.baseRef} into pull request #${version.pr}`, remoteBase], what: 'merging', config: COMMITTER });
      if (merged.exitCode !== 0) throw conflict(version, pull.baseRef, 'merge', `${merged.stdout}\n${merged.stderr}`);
    } else if (tool === 'rebase') {
      const rebased = await git.attempt({ cwd: dir, args: ['rebase', remoteBase], what: 'rebasing', config: COMMITTER });
      if (rebased.exitCode !== 0) throw conflict(version, pull.baseRef, 'rebase', `${rebased.stdout}\n${rebased.stderr}`);
    }
    return base;
  });
}

function conflict(version: PrVersion, base: string, tool: 'merge' | 'rebase', output: string): ResourceError {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const reason = lines.find((line) => line.startsWith('CONFLICT')) ?? lines.at(-1) ?? '';
  return new ResourceError(
    'github-pr-conflict',
    `pull request #${version.pr} at ${version.commit.slice(0, 7)} does not ${tool} cleanly ${tool === 'merge' ? 'with' : 'onto'} ${base}: ${reason}`,
    'resolve the conflict in the PR, or set `params: {integration_tool: checkout}` to build the head as it is',
  );
}
