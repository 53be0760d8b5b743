import type { MetadataField, Version } from '@weir/resources';
import type { TriggerVarConfig } from '../config/schema/index.js';

/** Rows as the store hands them out: plain data, ids and parsed JSON. */

export type FinishedBuildStatus = 'succeeded' | 'failed' | 'errored' | 'aborted';
export type BuildStatus = 'pending' | 'started' | FinishedBuildStatus;

export type InstanceVars = Record<string, unknown>;

export interface PipelineRef {
  team?: string;
  name: string;
  instanceVars?: InstanceVars;
}

export interface PipelineRecord {
  id: number;
  team: string;
  name: string;
  instanceVars: InstanceVars;
  config: unknown;
  configVersion: number;
  paused: boolean;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
  /** The job whose `set_pipeline` step set it last, and in which build; null when set by hand. */
  parent: { jobId: number; buildId: number; setAt: number } | null;
  /** How long it stays after its parent last set it (`expire_after`); null: as long as the parent wants. */
  expireAfterMs: number | null;
  /** Why it is being torn down, while its teardown build runs or after one failed; null otherwise. */
  retiring: string | null;
  teardownBuildId: number | null;
  /** That build's status: a retiring pipeline whose teardown did not succeed waits for a person. */
  teardownStatus: string | null;
}

/** A pipeline without its config: what a list of many shows, without parsing every config. */
export type PipelineState = Omit<PipelineRecord, 'config'>;

export interface ResourceRecord {
  id: number;
  pipelineId: number;
  name: string;
  type: string;
  config: Record<string, unknown>;
  scopeId: number;
  active: boolean;
  pinnedVersionId: number | null;
  /** `config` when the pin comes from the resource's `version:`, `api` when a user pinned it. */
  pinSource: 'config' | 'api' | null;
  pinComment: string | null;
  checkError: string | null;
  checkErrorAt: number | null;
}

export interface ScopeRecord {
  id: number;
  key: string;
  type: string;
  checkError: string | null;
  checkErrorAt: number | null;
  failedChecks: number;
}

export interface VersionRecord {
  id: number;
  scopeId: number;
  version: Version;
  metadata: MetadataField[];
  checkOrder: number;
  createdAt: number;
  /** When a complete check stopped reporting it: it no longer exists at its source. */
  goneAt: number | null;
}

export interface JobRecord {
  id: number;
  pipelineId: number;
  name: string;
  config: Record<string, unknown>;
  active: boolean;
  paused: boolean;
  nextBuildNumber: number;
  scheduleRequested: boolean;
}

/** A job as the API shows it: the two settings of its config a reader needs, not the config. */
export interface JobView {
  id: number;
  pipelineId: number;
  name: string;
  paused: boolean;
  nextBuildNumber: number;
  /** The values a person gives when starting the job by hand (its `trigger_vars`). */
  triggerVars: TriggerVarConfig[];
  /** The job's `disable_manual_trigger`. */
  manualTriggerDisabled: boolean;
}

export interface BuildRecord {
  id: number;
  team: string;
  pipelineId: number | null;
  jobId: number | null;
  name: string;
  number: number;
  rerunOf: number | null;
  status: BuildStatus;
  manuallyTriggered: boolean;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Why an errored build errored (or why an aborted one was aborted), for the user. */
  error: string | null;
  /**
   * The values of its job's `trigger_vars` the build runs with: given by hand (with defaults for
   * the rest), a rerun's original's, or the defaults, recorded when it starts; null for a job
   * without trigger_vars.
   */
  triggerVars: Record<string, string> | null;
}

export interface BuildInputRecord {
  name: string;
  resourceId: number;
  versionId: number;
  firstOccurrence: boolean;
}

export interface BuildOutputRecord {
  resourceId: number;
  versionId: number;
}
