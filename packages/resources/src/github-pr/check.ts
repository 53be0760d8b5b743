import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { loadCheckState, saveCheckState, type HeadFacts } from './check-state.js';
import { GithubApi, type PullSummary } from './github-api.js';
import { advance, versionsSince, type Observation, type PullMemory } from './history.js';
import { filesPass } from './path-match.js';
import { approvalCount, asksToSkipCi, listingPasses } from './pull-filter.js';
import type { GithubPrSettings, PrVersion, PullState } from './source.js';

/**
 * Lists the PRs (conditional requests: an unchanged list is a free 304), asks the costlier
 * questions (commit, files) once per new head and reviews only of PRs still waiting for
 * approval, and turns what it saw into versions with the per-PR history kept in the cache
 * directory. Requests go one at a time, as GitHub asks of clients to stay clear of its
 * secondary rate limits.
 */
export async function checkPullRequests(ctx: ResourceContext, settings: GithubPrSettings, from: PrVersion | undefined): Promise<Versioned<PrVersion>[]> {
  const state = await loadCheckState(ctx.cacheDir);
  const api = new GithubApi(settings, ctx, state.etags);
  const onlyOpen = !settings.states.has('closed') && !settings.states.has('merged');
  const listed = await api.listPulls(onlyOpen ? 'open' : 'all');
  const seen = new Set(listed.map((pull) => String(pull.number)));
  const pulls = [...listed];
  const observations: Observation[] = [];
  for (const [number, memory] of Object.entries(state.history.pulls)) {
    // A PR reported open that left the open list was merged or closed (or retargeted): ask it.
    if (memory.state !== 'open' || seen.has(number)) continue;
    const pull = await readIfThere(api, Number(number));
    if (pull !== undefined && (pull.state !== 'open' || settings.baseBranch === undefined || pull.baseRef === settings.baseBranch)) {
      pulls.push(pull);
      continue;
    }
    // Deleted, moved, out of the token's reach, or retargeted away from base_branch: it has ended
    // for this resource. Reported closed at the head watchers last saw, then forgotten, rather
    // than asked again (and failed on) at every check.
    ctx.log(`pull request #${number} ${pull === undefined ? 'is gone (404)' : `now targets ${pull.baseRef}, not ${settings.baseBranch}`}: reporting it closed`);
    observations.push({ number: Number(number), state: 'closed', head: memory.emitted ?? '', committed: memory.committed ?? '', matches: true });
  }

  const heads: Record<string, HeadFacts> = {};
  for (const pull of pulls) {
    const key = String(pull.number);
    const known = state.heads[key]?.sha === pull.headSha ? state.heads[key] : undefined;
    const { observation, facts } = await observe(api, settings, pull, state.history.pulls[key], known);
    observations.push(observation);
    if (facts) heads[key] = facts;
  }
  const { history, added } = advance(state.history, observations, settings.states);
  await saveCheckState(ctx.cacheDir, { history, heads, etags: api.etagsToKeep() });
  ctx.log(`${added.length === 0 ? 'no new versions' : `${added.length} new version${added.length === 1 ? '' : 's'}`} from ${listed.length} pull request${listed.length === 1 ? '' : 's'}; ${api.describeCost()}`);
  return versionsSince(history, from).map((version) => ({ version }));
}

/** The PR, or undefined when GitHub answers 404 for it. */
async function readIfThere(api: GithubApi, number: number): Promise<PullSummary | undefined> {
  try {
    return await api.pull(number);
  } catch (error) {
    if (error instanceof ResourceError && error.code === 'github-not-found') return undefined;
    throw error;
  }
}

async function observe(
  api: GithubApi,
  settings: GithubPrSettings,
  pull: PullSummary,
  memory: PullMemory | undefined,
  known: HeadFacts | undefined,
): Promise<{ observation: Observation; facts?: HeadFacts }> {
  const state: PullState = pull.state === 'open' ? 'open' : pull.merged ? 'merged' : 'closed';
  const base = { number: pull.number, state, head: pull.headSha };
  const reopened = state === 'open' && memory !== undefined && memory.state !== 'open';
  if (memory?.emitted === pull.headSha && !reopened) {
    // Already reported at this head: nothing more to ask, whatever changed since. A reopened PR
    // is judged again: its new open period is reported only if it matches now.
    return { observation: { ...base, committed: memory.committed ?? '', matches: true } };
  }
  const leaving = state !== 'open' && memory?.state === 'open' && memory.emitted !== undefined;
  const candidate = state === 'open' || memory === undefined || leaving;
  if (!candidate || (!leaving && !listingPasses(pull, settings))) return { observation: { ...base, committed: '', matches: false }, ...(known && { facts: known }) };
  const facts = known ?? (await headFacts(api, settings, pull));
  if (leaving) return { observation: { ...base, committed: facts.committed, matches: true }, facts };
  const approved = !facts.passes || settings.requiredApprovals === 0 || approvalCount(await api.reviews(pull.number)) >= settings.requiredApprovals;
  return { observation: { ...base, committed: facts.committed, matches: facts.passes && approved }, facts };
}

async function headFacts(api: GithubApi, settings: GithubPrSettings, pull: PullSummary): Promise<HeadFacts> {
  const commit = await api.commit(pull.headSha);
  const skipped = settings.ciSkip && asksToSkipCi(commit.message);
  const filtered = settings.paths.length > 0 || settings.ignorePaths.length > 0;
  const passes = !skipped && (!filtered || filesPass(await api.changedFiles(pull.number), settings.paths, settings.ignorePaths));
  return { sha: pull.headSha, committed: commit.committed, passes };
}
