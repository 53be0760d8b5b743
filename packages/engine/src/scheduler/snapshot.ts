/**
 * What the scheduler sees: a read-only view of the state that can change a job's next build.
 * The scheduling loop builds it from the store's in-memory index; tests build it from small
 * tables. Nothing here does I/O, so `decideNextBuilds` stays a pure function.
 */

export type JobId = number;
export type BuildId = number;
export type ResourceId = number;
export type VersionId = number;
export type PipelineId = number;

/** A version as a resource type reports it: a flat map of strings (Concourse's shape). */
export type VersionFields = Readonly<Record<string, string>>;

/** How a `get` input picks its version. */
export type InputVersionPolicy =
  | { kind: 'latest' }
  | { kind: 'every' }
  /**
   * `version: {ref: abc}` on the get step. `versionId` is the newest version of the resource
   * whose fields include every pinned field, or null when no such version has been checked yet.
   */
  | { kind: 'pinned'; fields: VersionFields; versionId: VersionId | null };

/** One `get` step of a job's plan, with names already resolved to ids. */
export interface JobInput {
  /** The artifact name (`get: name`, or `get: name, resource: r`). */
  name: string;
  resourceId: ResourceId;
  resourceName: string;
  /** Jobs in `passed`, globs expanded, in config order. */
  passed: ReadonlyArray<{ jobId: JobId; jobName: string }>;
  version: InputVersionPolicy;
  trigger: boolean;
}

/** A build waiting to start. */
export interface PendingBuild {
  id: BuildId;
  /** The per-job build name ("7", or "7.1" for a rerun). */
  name: string;
  manuallyTriggered: boolean;
  /** A rerun keeps the inputs of the build it reruns and skips input resolution. */
  rerunInputs: ReadonlyArray<ChosenInput> | null;
}

export interface SchedulableJob {
  id: JobId;
  name: string;
  pipelineId: PipelineId;
  pipelineName: string;
  inputs: readonly JobInput[];
  paused: boolean;
  pipelinePaused: boolean;
  /** Its pipeline is being torn down and this is not the teardown job. */
  pipelineRetiring: boolean;
  /** `serial: true` arrives here as 1; null means unlimited. */
  maxInFlight: number | null;
  serialGroups: readonly string[];
  /** Builds of this job that are `pending`, in queue order (`compareQueuePlace`: a rerun in its original's place). */
  pendingBuilds: readonly PendingBuild[];
  /** Builds of this job that are `started`. */
  runningBuildCount: number;
}

/** A serial group of one pipeline: every job in it, with their running and pending builds. */
export interface SerialGroupState {
  pipelineId: PipelineId;
  name: string;
  /** Builds `started` across all jobs of the group. */
  runningBuildCount: number;
  /** Pending builds of all jobs of the group, in queue order (`compareQueuePlace`), across jobs. */
  pendingBuildIds: readonly BuildId[];
}

/** Read-only queries over versions and build history. */
export interface VersionHistory {
  /** Every version of the resource, newest first by check order (disabled ones included). */
  versionsNewestFirst(resourceId: ResourceId): readonly VersionId[];
  /** Larger is newer. Check order is shared by identical resources across pipelines. */
  checkOrder(versionId: VersionId): number;
  describeVersion(versionId: VersionId): VersionFields;
  isDisabled(resourceId: ResourceId, versionId: VersionId): boolean;
  /** No longer at its source: a check that reports every version stopped reporting it. */
  isGone(versionId: VersionId): boolean;
  /** The resource-level pin (from the resource's `version:` in config, or from the API). */
  pinnedVersion(resourceId: ResourceId): VersionId | undefined;
  /**
   * Versions of the resource that were an input or an output of a *succeeded* build of the
   * job, newest first by check order.
   */
  passedVersionsNewestFirst(jobId: JobId, resourceId: ResourceId): readonly VersionId[];
  /**
   * Whether a succeeded build of the job used the resource with a version of a source it no
   * longer has: a changed source starts a new history, and none of those versions count.
   */
  passedEarlierHistory(jobId: JobId, resourceId: ResourceId): boolean;
  /** The succeeded builds of the job that had this version of the resource as input or output. */
  passedBuilds(jobId: JobId, resourceId: ResourceId, versionId: VersionId): readonly BuildId[];
  /** Whether any build of the job (whatever its status) used this version as input `inputName`. */
  usedAsInput(jobId: JobId, inputName: string, versionId: VersionId): boolean;
  /** The newest version (by check order) any build of the job used as input `inputName`. */
  latestUsedAsInput(jobId: JobId, inputName: string): VersionId | undefined;
}

export interface SchedulingSnapshot {
  /** Only the jobs whose schedule was requested. */
  jobs: readonly SchedulableJob[];
  /** Keyed by `serialGroupKey(pipelineId, name)`; covers every group a requested job is in. */
  serialGroups: ReadonlyMap<string, SerialGroupState>;
  history: VersionHistory;
  /** The engine's bound on running builds, across every pipeline; absent means unbounded. */
  buildSlots?: BuildSlotState;
}

/** How many builds run engine-wide, and the most that may. */
export interface BuildSlotState {
  running: number;
  limit: number;
}

export function serialGroupKey(pipelineId: PipelineId, name: string): string {
  return `${pipelineId}/${name}`;
}

/** The version an input will use. */
export interface ChosenInput {
  name: string;
  resourceId: ResourceId;
  versionId: VersionId;
  /** True when no earlier build of the job used this version for this input. */
  firstOccurrence: boolean;
}
