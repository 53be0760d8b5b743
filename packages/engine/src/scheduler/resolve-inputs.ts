import type { Reason } from './decisions.js';
import { InputCandidates, ResolutionBudget, type UsableVersion } from './input-candidates.js';
import { effectivePolicy, type EffectivePolicy } from './input-policy.js';
import type { InputUsage } from './input-usage.js';
import { linkedInputUnusable, noCommonBuild, tooManyCombinations } from './reasons.js';
import type { SharedPassedJobs } from './shared-passed-jobs.js';
import type { BuildId, ChosenInput, SchedulableJob, VersionHistory, VersionId } from './snapshot.js';

/**
 * Candidate checks one job's resolution may make. Two inputs sharing an upstream job with 100
 * usable versions each and no common build cost about 10,000 checks, so that case still gets
 * its precise answer (not-same-build); three such inputs give up with too-many-combinations.
 */
const RESOLUTION_BUDGET = 50_000;

/** What resolution found for one input. */
export interface InputOutcome {
  versionId: VersionId | null;
  /**
   * Why `versionId` is null; for an input that is fine on its own but linked (through shared
   * `passed` jobs) to an input with no usable version, `linked-input-unusable` naming both.
   */
  failure: Reason | null;
  /**
   * How far consistency with the other inputs was checked, which tells the explanation what it
   * may say about skipped versions: `chosen-versions` (they conflict with the versions chosen
   * for the other inputs), `no-common-build` (no combination works), or `unchecked`.
   */
  consistency: 'chosen-versions' | 'no-common-build' | 'unchecked';
}

export interface InputResolution {
  /** The job's inputs in config order, or null when some input has no version. */
  chosen: ChosenInput[] | null;
  /** Per input, in config order. */
  outcomes: InputOutcome[];
  policies: EffectivePolicy[];
  shared: SharedPassedJobs;
}

/**
 * Picks a version for every input of the job. Inputs are resolved in groups linked by shared
 * `passed` jobs; within a group, a depth-first search gives earlier inputs (config order) their
 * most preferred version first and backtracks when the versions chosen so far have no common
 * build of a shared job. Cost is proportional to the candidates examined, bounded by
 * RESOLUTION_BUDGET; nothing proportional to the whole history is copied or sorted. `shared`
 * is `sharedPassedJobs(job.inputs)`, computed once per job and pass.
 */
export function resolveInputs(job: SchedulableJob, history: VersionHistory, usage: InputUsage, shared: SharedPassedJobs): InputResolution {
  const policies = job.inputs.map((input) => effectivePolicy(job.id, input, history, usage));
  const budget = new ResolutionBudget(RESOLUTION_BUDGET);
  const candidates = job.inputs.map((input, i) => new InputCandidates(input, policies[i] as EffectivePolicy, shared.byInput[i] ?? [], history, budget));
  const outcomes: InputOutcome[] = job.inputs.map(() => ({ versionId: null, failure: null, consistency: 'unchecked' }));

  for (const group of shared.linkedGroups) {
    resolveLinkedGroup(group, job, candidates, shared, budget, outcomes);
  }

  const satisfied = outcomes.every((o) => o.versionId !== null);
  const chosen = satisfied
    ? job.inputs.map((input, i) => {
        const versionId = outcomes[i]?.versionId as VersionId;
        return { name: input.name, resourceId: input.resourceId, versionId, firstOccurrence: !usage.isUsed(job.id, input.name, versionId) };
      })
    : null;
  return { chosen, outcomes, policies, shared };
}

function resolveLinkedGroup(
  group: readonly number[],
  job: SchedulableJob,
  candidates: readonly InputCandidates[],
  shared: SharedPassedJobs,
  budget: ResolutionBudget,
  outcomes: InputOutcome[],
): void {
  let someInputUnusable = false;
  for (const i of group) {
    const own = candidates[i] as InputCandidates;
    if (own.usableAt(0) !== undefined) continue;
    if (own.stoppedByBudget) return outOfBudget(group, job, outcomes);
    outcomes[i] = { versionId: null, failure: own.failureReason(), consistency: 'unchecked' };
    someInputUnusable = true;
  }
  if (someInputUnusable) {
    const unusable = group.filter((i) => outcomes[i]?.failure !== null);
    for (const i of group) {
      if (!unusable.includes(i)) outcomes[i] = { versionId: null, failure: blockedByLinkedInput(i, unusable, job, shared), consistency: 'unchecked' };
    }
    return;
  }
  if (group.length === 1) {
    const only = group[0] as number;
    outcomes[only] = { versionId: (candidates[only] as InputCandidates).usableAt(0)?.versionId ?? null, failure: null, consistency: 'chosen-versions' };
    return;
  }

  const search = new LinkedGroupSearch(group, candidates, shared, budget);
  const found = search.run();
  if (found === 'out-of-budget') return outOfBudget(group, job, outcomes);
  if (found === 'none') {
    for (const i of group) {
      const first = shared.byInput[i]?.[0];
      const failure = first === undefined ? null : noCommonBuild(first.jobName, first.inputIndexes.map((j) => job.inputs[j]?.name ?? ''));
      outcomes[i] = { versionId: null, failure, consistency: 'no-common-build' };
    }
    return;
  }
  group.forEach((i, k) => {
    outcomes[i] = { versionId: found[k] as VersionId, failure: null, consistency: 'chosen-versions' };
  });
}

/**
 * Every input of the group gives up: the search ran out of budget. A function of its own, not
 * a closure made for every group of every job in a pass.
 */
function outOfBudget(group: readonly number[], job: SchedulableJob, outcomes: InputOutcome[]): void {
  const names = group.map((i) => job.inputs[i]?.name ?? '');
  for (const i of group) outcomes[i] = { versionId: null, failure: tooManyCombinations(RESOLUTION_BUDGET, names), consistency: 'unchecked' };
}

/**
 * Why an input that is fine on its own gets no version: an input of its linked group has none.
 * Names an unusable input that shares a `passed` job with it directly when there is one, else
 * the first unusable input of the group and the input's own first shared job (the chain that
 * ties them runs through other inputs).
 */
function blockedByLinkedInput(input: number, unusable: readonly number[], job: SchedulableJob, shared: SharedPassedJobs): Reason {
  const own = shared.byInput[input] ?? [];
  for (const sharedJob of own) {
    const direct = sharedJob.inputIndexes.find((j) => unusable.includes(j));
    if (direct !== undefined) return linkedInputUnusable(job.inputs[direct]?.name ?? '', sharedJob.jobName);
  }
  return linkedInputUnusable(job.inputs[unusable[0] as number]?.name ?? '', own[0]?.jobName ?? '');
}

/**
 * Depth-first search over the inputs of one linked group. For every shared passed job it keeps
 * the set of that job's builds that used all versions chosen so far; a candidate that empties
 * a set is skipped.
 */
class LinkedGroupSearch {
  /** Per shared job (by `SharedPassedJob.index`), the builds common to the versions chosen so far. */
  private readonly commonBuilds: Array<readonly BuildId[] | undefined>;
  private readonly chosen: VersionId[] = [];

  constructor(
    private readonly group: readonly number[],
    private readonly candidates: readonly InputCandidates[],
    private readonly shared: SharedPassedJobs,
    private readonly budget: ResolutionBudget,
  ) {
    this.commonBuilds = new Array<readonly BuildId[] | undefined>(shared.all.length);
  }

  run(): VersionId[] | 'none' | 'out-of-budget' {
    const result = this.chooseFrom(0);
    return result === true ? this.chosen : result === false ? 'none' : result;
  }

  private chooseFrom(depth: number): boolean | 'out-of-budget' {
    if (depth === this.group.length) return true;
    const inputIndex = this.group[depth] as number;
    const own = this.candidates[inputIndex] as InputCandidates;
    const sharedJobs = this.shared.byInput[inputIndex] ?? [];
    for (let k = 0; ; k++) {
      const candidate = own.usableAt(k);
      if (candidate === undefined) return own.stoppedByBudget ? 'out-of-budget' : false;
      if (depth > 0 && !this.budget.spend()) return 'out-of-budget';
      const previous = this.narrow(sharedJobs, candidate);
      if (previous === null) continue;
      this.chosen[depth] = candidate.versionId;
      const rest = this.chooseFrom(depth + 1);
      if (rest !== false) return rest;
      sharedJobs.forEach((job, s) => {
        this.commonBuilds[job.index] = previous[s];
      });
    }
  }

  /**
   * Intersects the common build sets with the candidate's builds. Returns the previous sets to
   * restore on backtracking, or null (with nothing changed) when some set would become empty.
   */
  private narrow(sharedJobs: readonly { index: number }[], candidate: UsableVersion): Array<readonly BuildId[] | undefined> | null {
    const narrowed: Array<readonly BuildId[]> = [];
    for (let s = 0; s < sharedJobs.length; s++) {
      const builds = candidate.buildsBySharedJob[s] as readonly BuildId[];
      const current = this.commonBuilds[(sharedJobs[s] as { index: number }).index];
      const common = current === undefined ? builds : current.filter((b) => builds.includes(b));
      if (common.length === 0) return null;
      narrowed.push(common);
    }
    const previous = sharedJobs.map((job) => this.commonBuilds[job.index]);
    sharedJobs.forEach((job, s) => {
      this.commonBuilds[job.index] = narrowed[s];
    });
    return previous;
  }
}
