import type { Reason } from './decisions.js';
import { formatVersion } from './describe-version.js';
import { unpinnedOrder, type EffectivePolicy } from './input-policy.js';
import { everyVersionDisabled, noVersionPassed, noVersions, notPassed, pinnedVersionMissing, sourceChangedSincePassed, versionDisabled, versionGone, everyVersionDisabledOrGone } from './reasons.js';
import type { SharedPassedJob } from './shared-passed-jobs.js';
import type { BuildId, JobId, JobInput, VersionHistory, VersionId } from './snapshot.js';

/** Counts candidate checks so one pathological job cannot stall a whole scheduling pass. */
export class ResolutionBudget {
  constructor(private remaining: number) {}

  /** Pays for one check; false once the budget is used up. */
  spend(): boolean {
    if (this.remaining <= 0) return false;
    this.remaining--;
    return true;
  }
}

/** A version the input could use on its own, with the builds that vouch for it per shared passed job. */
export interface UsableVersion {
  versionId: VersionId;
  /** Aligned with the input's shared passed jobs: the succeeded builds of each that used this version. */
  buildsBySharedJob: ReadonlyArray<readonly BuildId[]>;
}

/**
 * The versions one input could use on its own (enabled, the pin if pinned, through every
 * `passed` job), in the input's order of preference, found lazily: the common case reads one
 * candidate. Candidates come from the most selective source available: the pin, else the
 * versions that passed the `passed` job with the fewest of them, else all versions.
 */
export class InputCandidates {
  private readonly usable: UsableVersion[] = [];
  private position = 0;
  private readonly source: { at(position: number): VersionId | undefined } | null;
  /** Why the source itself is empty, before any candidate is read. */
  private readonly emptySourceReason: Reason | null;
  private scanned = 0;
  private firstRejection: Reason | null = null;
  private allRejectedAsDisabled = true;
  private someRejectedAsGone = false;
  private readonly rejectingJobs = new Set<JobId>();
  private outOfBudget = false;

  constructor(
    private readonly input: JobInput,
    policy: EffectivePolicy,
    private readonly sharedJobs: readonly SharedPassedJob[],
    private readonly history: VersionHistory,
    private readonly budget: ResolutionBudget,
  ) {
    const { source, emptySourceReason } = candidateSource(input, policy, history);
    this.source = source;
    this.emptySourceReason = emptySourceReason;
  }

  /** The `index`-th usable version in preference order, or undefined when there are no more. */
  usableAt(index: number): UsableVersion | undefined {
    while (this.usable.length <= index && this.source !== null && !this.outOfBudget) {
      const versionId = this.source.at(this.position);
      if (versionId === undefined) break;
      this.position++;
      if (!this.budget.spend()) {
        this.outOfBudget = true;
        break;
      }
      this.consider(versionId);
    }
    return this.usable[index];
  }

  /** True when reading stopped because the job's resolution budget ran out. */
  get stoppedByBudget(): boolean {
    return this.outOfBudget;
  }

  /** Why no version is usable; meaningful once `usableAt(0)` returned undefined. */
  failureReason(): Reason {
    const resource = this.input.resourceName;
    if (this.emptySourceReason !== null) return this.emptySourceReason;
    if (this.scanned === 1 && this.firstRejection !== null) return this.firstRejection;
    if (this.allRejectedAsDisabled) return this.someRejectedAsGone ? everyVersionDisabledOrGone(resource) : everyVersionDisabled(resource);
    const rejecting = this.input.passed.filter((p) => this.rejectingJobs.has(p.jobId));
    if (rejecting.length === 1 && onlyEarlierHistoryPassed(this.input, rejecting[0] as PassedJob, this.history)) return sourceChangedSincePassed(resource, (rejecting[0] as PassedJob).jobName);
    return noVersionPassed(resource, rejecting.map((p) => p.jobName));
  }

  private consider(versionId: VersionId): void {
    this.scanned++;
    const { history, input } = this;
    if (history.isDisabled(input.resourceId, versionId)) {
      this.firstRejection ??= versionDisabled(formatVersion(history.describeVersion(versionId)));
      return;
    }
    if (history.isGone(versionId)) {
      this.firstRejection ??= versionGone(formatVersion(history.describeVersion(versionId)));
      this.someRejectedAsGone = true;
      return;
    }
    this.allRejectedAsDisabled = false;
    const buildsBySharedJob: Array<readonly BuildId[]> = [];
    let passedAll = true;
    for (const passed of input.passed) {
      const builds = history.passedBuilds(passed.jobId, input.resourceId, versionId);
      if (builds.length === 0) {
        passedAll = false;
        this.rejectingJobs.add(passed.jobId);
        this.firstRejection ??= notPassedReason(input, passed, versionId, history);
        continue;
      }
      const sharedIndex = this.sharedJobs.findIndex((s) => s.jobId === passed.jobId);
      if (sharedIndex >= 0) buildsBySharedJob[sharedIndex] = builds;
    }
    if (passedAll) this.usable.push({ versionId, buildsBySharedJob });
  }
}

function candidateSource(
  input: JobInput,
  policy: EffectivePolicy,
  history: VersionHistory,
): { source: { at(position: number): VersionId | undefined } | null; emptySourceReason: Reason | null } {
  switch (policy.kind) {
    case 'step-pin':
      if (policy.versionId === null) return { source: null, emptySourceReason: pinnedVersionMissing(input.resourceName, formatVersion(policy.fields)) };
      return { source: [policy.versionId], emptySourceReason: null };
    case 'resource-pin':
      return { source: [policy.versionId], emptySourceReason: null };
    case 'latest':
    case 'every': {
      const selective = mostSelectivePassedJob(input, history);
      const newestFirst = selective === undefined ? history.versionsNewestFirst(input.resourceId) : selective.versions;
      if (newestFirst.length > 0) return { source: unpinnedOrder(policy, newestFirst, history), emptySourceReason: null };
      if (selective === undefined || history.versionsNewestFirst(input.resourceId).length === 0) return { source: null, emptySourceReason: noVersions(input.resourceName) };
      const reason = onlyEarlierHistoryPassed(input, selective.job, history) ? sourceChangedSincePassed(input.resourceName, selective.job.jobName) : noVersionPassed(input.resourceName, [selective.job.jobName]);
      return { source: null, emptySourceReason: reason };
    }
  }
}

type PassedJob = JobInput['passed'][number];

/** The `passed` job through which the fewest versions went: its list is the cheapest to walk. */
function mostSelectivePassedJob(input: JobInput, history: VersionHistory): { job: PassedJob; versions: readonly VersionId[] } | undefined {
  let best: { job: PassedJob; versions: readonly VersionId[] } | undefined;
  for (const passed of input.passed) {
    const versions = history.passedVersionsNewestFirst(passed.jobId, input.resourceId);
    if (best === undefined || versions.length < best.versions.length) best = { job: passed, versions };
  }
  return best;
}

/** The job passed versions of the resource only before its source changed: none of the current history. */
function onlyEarlierHistoryPassed(input: JobInput, passed: PassedJob, history: VersionHistory): boolean {
  return history.passedVersionsNewestFirst(passed.jobId, input.resourceId).length === 0 && history.passedEarlierHistory(passed.jobId, input.resourceId);
}

function notPassedReason(input: JobInput, passed: PassedJob, versionId: VersionId, history: VersionHistory): Reason {
  if (onlyEarlierHistoryPassed(input, passed, history)) return sourceChangedSincePassed(input.resourceName, passed.jobName);
  return notPassed(formatVersion(history.describeVersion(versionId)), passed.jobName);
}

/** Why the input cannot use this version on its own account, ignoring the other inputs. */
export function ownRejections(input: JobInput, versionId: VersionId, history: VersionHistory): Reason[] {
  if (history.isDisabled(input.resourceId, versionId)) return [versionDisabled(formatVersion(history.describeVersion(versionId)))];
  if (history.isGone(versionId)) return [versionGone(formatVersion(history.describeVersion(versionId)))];
  const rejections: Reason[] = [];
  for (const passed of input.passed) {
    if (history.passedBuilds(passed.jobId, input.resourceId, versionId).length === 0) rejections.push(notPassedReason(input, passed, versionId, history));
  }
  return rejections;
}
