import type { MetadataField, Version } from '@weir/resources';
import type { CheckOutcome } from '../checker/checker.js';
import type { Problem } from '../config/problem.js';
import type { JobConfig, TriggerVarConfig } from '../config/schema/index.js';
import type { BuildEvent } from '../runner/events/build-event.js';
import type { JobExplanation, Reason } from '../scheduler/decisions.js';
import type { BuildRecord, InstanceVars, JobRecord, JobView, PipelineState, ResourceRecord, VersionRecord } from '../store/records.js';

/** The JSON shapes of docs/api.md: snake_case, times in epoch milliseconds. */

export interface PipelineJson {
  id: number;
  name: string;
  team: string;
  instance_vars: InstanceVars;
  config_version: number;
  paused: boolean;
  archived: boolean;
  created_at: number;
  updated_at: number;
  /** The job whose `set_pipeline` step set it, and in which build; null when set by hand. */
  parent: { job_id: number; build_id: number; set_at: number } | null;
  /** When it is torn down unless its parent sets it again (`expire_after`). */
  expires_at: number | null;
  /** Why it is being (or was) torn down and archived, and the teardown build, if it has one. */
  retiring: { reason: string; teardown_build_id: number | null; teardown_status: string | null } | null;
}

export function pipelineJson(pipeline: PipelineState): PipelineJson {
  return {
    id: pipeline.id,
    name: pipeline.name,
    team: pipeline.team,
    instance_vars: pipeline.instanceVars,
    config_version: pipeline.configVersion,
    paused: pipeline.paused,
    archived: pipeline.archived,
    created_at: pipeline.createdAt,
    updated_at: pipeline.updatedAt,
    parent: pipeline.parent && { job_id: pipeline.parent.jobId, build_id: pipeline.parent.buildId, set_at: pipeline.parent.setAt },
    expires_at: pipeline.parent && pipeline.expireAfterMs !== null && !pipeline.archived ? pipeline.parent.setAt + pipeline.expireAfterMs : null,
    retiring: pipeline.retiring === null ? null : { reason: pipeline.retiring, teardown_build_id: pipeline.teardownBuildId, teardown_status: pipeline.teardownStatus },
  };
}

/** Names a build's pipeline and job; a list asks for the same few many times. */
export interface BuildLabels {
  pipeline(pipelineId: number): { name: string; instanceVars: InstanceVars } | undefined;
  jobName(jobId: number): string | undefined;
}

export interface BuildJson {
  id: number;
  team: string;
  pipeline_id: number | null;
  pipeline_name: string | null;
  pipeline_instance_vars: InstanceVars | null;
  job_id: number | null;
  job_name: string | null;
  name: string;
  status: BuildRecord['status'];
  rerun_of: number | null;
  manually_triggered: boolean;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  /** The values of the job's trigger_vars the build runs with. */
  trigger_vars: Record<string, string> | null;
}

export function buildJson(build: BuildRecord, labels: BuildLabels): BuildJson {
  const pipeline = build.pipelineId === null ? undefined : labels.pipeline(build.pipelineId);
  return {
    id: build.id,
    team: build.team,
    pipeline_id: build.pipelineId,
    pipeline_name: pipeline?.name ?? null,
    pipeline_instance_vars: pipeline?.instanceVars ?? null,
    job_id: build.jobId,
    job_name: build.jobId === null ? null : (labels.jobName(build.jobId) ?? null),
    name: build.name,
    status: build.status,
    rerun_of: build.rerunOf,
    manually_triggered: build.manuallyTriggered,
    created_at: build.createdAt,
    started_at: build.startedAt,
    ended_at: build.endedAt,
    error: build.error,
    trigger_vars: build.triggerVars,
  };
}

export interface JobJson {
  id: number;
  pipeline_id: number;
  name: string;
  paused: boolean;
  next_build_number: number;
  finished_build: BuildJson | null;
  next_build: BuildJson | null;
  /** The values a person gives when starting the job by hand (its `trigger_vars`). */
  trigger_vars: TriggerVarConfig[];
  /** The job's `disable_manual_trigger`. */
  manual_trigger_disabled: boolean;
}

export function jobJson(
  job: JobView,
  summary: { finishedBuild: BuildRecord | null; nextBuild: BuildRecord | null },
  labels: BuildLabels,
): JobJson {
  return {
    id: job.id,
    pipeline_id: job.pipelineId,
    name: job.name,
    paused: job.paused,
    next_build_number: job.nextBuildNumber,
    finished_build: summary.finishedBuild && buildJson(summary.finishedBuild, labels),
    next_build: summary.nextBuild && buildJson(summary.nextBuild, labels),
    trigger_vars: job.triggerVars,
    manual_trigger_disabled: job.manualTriggerDisabled,
  };
}

/** What the API shows of a job's config, from a job read with it. */
export function jobView(job: JobRecord): JobView {
  return {
    id: job.id,
    pipelineId: job.pipelineId,
    name: job.name,
    paused: job.paused,
    nextBuildNumber: job.nextBuildNumber,
    triggerVars: (job.config as Pick<JobConfig, 'trigger_vars'>).trigger_vars ?? [],
    manualTriggerDisabled: (job.config as Pick<JobConfig, 'disable_manual_trigger'>).disable_manual_trigger === true,
  };
}

export interface VersionJson {
  id: number;
  version: Version;
  metadata: MetadataField[];
  enabled: boolean;
  /** No longer at its source (a complete check stopped reporting it): never used, not pinnable. */
  gone: boolean;
  created_at: number;
}

export function versionJson(version: VersionRecord, enabled: boolean): VersionJson {
  return { id: version.id, version: version.version, metadata: version.metadata, enabled, gone: version.goneAt !== null, created_at: version.createdAt };
}

/** A resource without its config: the source may hold credentials and the webhook token. */
export interface ResourceJson {
  id: number;
  pipeline_id: number;
  name: string;
  type: string;
  pinned_version_id: number | null;
  pin_source: ResourceRecord['pinSource'];
  pin_comment: string | null;
  check_error: string | null;
  check_error_at: number | null;
  last_checked_version: VersionJson | null;
}

export function resourceJson(resource: ResourceRecord, lastChecked: VersionJson | null): ResourceJson {
  return {
    id: resource.id,
    pipeline_id: resource.pipelineId,
    name: resource.name,
    type: resource.type,
    pinned_version_id: resource.pinnedVersionId,
    pin_source: resource.pinSource,
    pin_comment: resource.pinComment,
    check_error: resource.checkError,
    check_error_at: resource.checkErrorAt,
    last_checked_version: lastChecked,
  };
}

export interface CheckOutcomeJson {
  ok: boolean;
  new_versions: number;
  error: string | null;
}

export function checkOutcomeJson(outcome: CheckOutcome): CheckOutcomeJson {
  return { ok: outcome.ok, new_versions: outcome.newVersions, error: outcome.error ?? null };
}

export interface EventJson {
  seq: number;
  at: number;
  type: BuildEvent['type'];
  origin?: string;
  data: BuildEvent['data'];
}

export function eventJson(event: BuildEvent): EventJson {
  const origin = 'origin' in event ? event.origin : undefined;
  return { seq: event.seq, at: event.at, type: event.type, ...(origin !== undefined && { origin }), data: event.data };
}

export interface ProblemJson {
  severity: Problem['severity'];
  code: string;
  message: string;
  path: Problem['path'];
  display_path?: string;
  at?: 'key';
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
  end_offset?: number;
  hint?: string;
}

export function problemJson(problem: Problem): ProblemJson {
  return {
    severity: problem.severity,
    code: problem.code,
    message: problem.message,
    path: problem.path,
    ...(problem.displayPath !== undefined && { display_path: problem.displayPath }),
    ...(problem.at !== undefined && { at: problem.at }),
    ...(problem.file !== undefined && { file: problem.file }),
    ...(problem.line !== undefined && { line: problem.line }),
    ...(problem.column !== undefined && { column: problem.column }),
    ...(problem.offset !== undefined && { offset: problem.offset }),
    ...(problem.endOffset !== undefined && { end_offset: problem.endOffset }),
    ...(problem.hint !== undefined && { hint: problem.hint }),
  };
}

export interface ExplanationJson {
  job_id: number;
  job: string;
  pipeline: string;
  summary: string;
  blockers: Reason[];
  inputs: Array<{
    name: string;
    resource: string;
    chosen: number | null;
    candidates: Array<{ version_id: number; version: Readonly<Record<string, string>>; accepted: boolean; rejections: Reason[] }>;
    omitted_candidates: number;
    reasons: Reason[];
  }>;
}

export function explanationJson(explanation: JobExplanation): ExplanationJson {
  return {
    job_id: explanation.jobId,
    job: explanation.job,
    pipeline: explanation.pipeline,
    summary: explanation.summary,
    blockers: explanation.blockers.map(reasonJson),
    inputs: explanation.inputs.map((input) => ({
      name: input.name,
      resource: input.resource,
      chosen: input.chosen,
      candidates: input.candidates.map((candidate) => ({
        version_id: candidate.versionId,
        version: candidate.version,
        accepted: candidate.accepted,
        rejections: candidate.rejections.map(reasonJson),
      })),
      omitted_candidates: input.omittedCandidates,
      reasons: input.reasons.map(reasonJson),
    })),
  };
}

function reasonJson(reason: Reason): Reason {
  return { code: reason.code, message: reason.message };
}
