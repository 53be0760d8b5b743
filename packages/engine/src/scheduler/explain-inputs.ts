import type { CandidateExplanation, InputExplanation, Reason } from './decisions.js';
import { indexOfVersion, type CandidateOrder } from './candidate-order.js';
import { formatVersion } from './describe-version.js';
import { ownRejections } from './input-candidates.js';
import { unpinnedOrder } from './input-policy.js';
import { notSameBuildAs, pinnedElsewhere } from './reasons.js';
import type { InputResolution } from './resolve-inputs.js';
import type { JobInput, SchedulableJob, VersionHistory, VersionId } from './snapshot.js';

/** Candidates listed per input; the rest are counted in `omittedCandidates`. */
const LISTED_CANDIDATES = 10;

/**
 * For each input, the versions considered in the input's order of preference, up to and
 * including the chosen one (or all of them when none fits), each with why it was skipped. The
 * walk covers every version of the resource, not only those that passed upstream jobs, so a
 * user sees that the newest commit "has not passed unit". Only listed candidates are examined:
 * the count of the others comes from positions in the newest-first lists.
 */
export function explainInputs(job: SchedulableJob, resolution: InputResolution, history: VersionHistory): InputExplanation[] {
  return job.inputs.map((input, i) => explainInput(job, input, i, resolution, history));
}

/** The versions an input considered, in its order of preference, without materializing them. */
interface ConsideredVersions {
  /** How many versions were considered, the chosen one included. */
  count: number;
  order: CandidateOrder | null;
  /** For a resource pin: the newer versions it keeps out, newest first, then the pin. */
  newerThanPin: readonly VersionId[];
  /** How many of `newerThanPin` come before the pin. */
  newerCount: number;
  pinned: VersionId | null;
}

function explainInput(job: SchedulableJob, input: JobInput, inputIndex: number, resolution: InputResolution, history: VersionHistory): InputExplanation {
  const outcome = resolution.outcomes[inputIndex] as InputResolution['outcomes'][number];
  const reasons: Reason[] = outcome.failure !== null ? [outcome.failure] : [];
  const considered = consideredVersions(input, resolution, inputIndex, history);
  const candidates: CandidateExplanation[] = [];
  if (considered !== null) {
    // The first candidates, and the chosen one (the last considered) even when it comes later.
    const lastIsChosen = outcome.versionId !== null;
    const head = considered.count <= LISTED_CANDIDATES ? considered.count : lastIsChosen ? LISTED_CANDIDATES - 1 : LISTED_CANDIDATES;
    for (let p = 0; p < head; p++) candidates.push(explainCandidate(job, input, inputIndex, considered, p, resolution, history));
    if (head < considered.count && lastIsChosen) candidates.push(explainCandidate(job, input, inputIndex, considered, considered.count - 1, resolution, history));
  }
  const omittedCandidates = considered === null ? 0 : considered.count - candidates.length;
  return { name: input.name, resource: input.resourceName, chosen: outcome.versionId, candidates, omittedCandidates, reasons };
}

function consideredVersions(input: JobInput, resolution: InputResolution, inputIndex: number, history: VersionHistory): ConsideredVersions | null {
  const policy = resolution.policies[inputIndex] as InputResolution['policies'][number];
  const chosen = resolution.outcomes[inputIndex]?.versionId ?? null;
  switch (policy.kind) {
    case 'step-pin':
      return policy.versionId === null ? null : { count: 1, order: null, newerThanPin: [], newerCount: 0, pinned: policy.versionId };
    case 'resource-pin': {
      // Newer versions than the pin are listed first: they are what the user expected to get.
      const newestFirst = history.versionsNewestFirst(input.resourceId);
      const newerCount = Math.max(0, indexOfVersion(newestFirst, policy.versionId, history));
      return { count: newerCount + 1, order: null, newerThanPin: newestFirst, newerCount, pinned: policy.versionId };
    }
    case 'latest':
    case 'every': {
      const newestFirst = history.versionsNewestFirst(input.resourceId);
      if (newestFirst.length === 0) return null;
      const order = unpinnedOrder(policy, newestFirst, history);
      const chosenPosition = chosen === null ? -1 : order.positionOf(chosen);
      return { count: chosenPosition >= 0 ? chosenPosition + 1 : order.length, order, newerThanPin: [], newerCount: 0, pinned: null };
    }
  }
}

function explainCandidate(
  job: SchedulableJob,
  input: JobInput,
  inputIndex: number,
  considered: ConsideredVersions,
  position: number,
  resolution: InputResolution,
  history: VersionHistory,
): CandidateExplanation {
  const chosen = resolution.outcomes[inputIndex]?.versionId ?? null;
  let versionId: VersionId;
  let rejections: Reason[];
  if (position < considered.newerCount) {
    versionId = considered.newerThanPin[position] as VersionId;
    rejections = [pinnedElsewhere(input.resourceName, formatVersion(history.describeVersion(considered.pinned as VersionId)))];
  } else {
    versionId = considered.order === null ? (considered.pinned as VersionId) : (considered.order.at(position) as VersionId);
    // The chosen version passed every check during resolution: nothing to look up again.
    rejections = versionId === chosen ? [] : ownRejections(input, versionId, history);
    if (versionId !== chosen && rejections.length === 0) rejections = conflictsWithOtherInputs(job, inputIndex, versionId, resolution, history);
  }
  return { versionId, version: history.describeVersion(versionId), accepted: versionId === chosen, rejections };
}

/**
 * Why a version the input could use on its own was skipped: it did not go through the same
 * build of a shared `passed` job as the versions chosen for the other inputs.
 */
function conflictsWithOtherInputs(job: SchedulableJob, inputIndex: number, versionId: VersionId, resolution: InputResolution, history: VersionHistory): Reason[] {
  const outcome = resolution.outcomes[inputIndex];
  if (outcome?.consistency === 'no-common-build') return outcome.failure === null ? [] : [outcome.failure];
  if (outcome?.consistency !== 'chosen-versions') return [];
  const input = job.inputs[inputIndex] as JobInput;
  const conflicts: Reason[] = [];
  for (const shared of resolution.shared.byInput[inputIndex] ?? []) {
    let common = history.passedBuilds(shared.jobId, input.resourceId, versionId);
    const others: Array<{ input: string; version: string }> = [];
    for (const other of shared.inputIndexes) {
      const otherVersion = resolution.outcomes[other]?.versionId ?? null;
      const otherInput = job.inputs[other];
      if (other === inputIndex || otherVersion === null || otherInput === undefined) continue;
      const otherBuilds = history.passedBuilds(shared.jobId, otherInput.resourceId, otherVersion);
      common = common.filter((b) => otherBuilds.includes(b));
      others.push({ input: otherInput.name, version: formatVersion(history.describeVersion(otherVersion)) });
    }
    if (common.length === 0) conflicts.push(notSameBuildAs(shared.jobName, others));
  }
  return conflicts;
}
