/** The JSON the engine's HTTP API answers with (docs/api.md): snake_case, times in ms since the epoch. */

import type { ProblemJson } from '@weir/engine';

export type ApiBuildStatus = 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';

export interface ApiPipeline {
  id: number;
  name: string;
  team: string;
  instance_vars: Record<string, unknown>;
  config_version: number;
  paused: boolean;
  archived: boolean;
  created_at: number;
  updated_at: number;
  parent: { job_id: number; build_id: number; set_at: number } | null;
  expires_at: number | null;
  retiring: { reason: string; teardown_build_id: number | null; teardown_status: string | null } | null;
}

export interface ApiPipelineWithConfig extends ApiPipeline {
  config: Record<string, unknown>;
}

/** A pipeline problem as the API sends it: the engine's own JSON shape. */
export type ApiProblem = ProblemJson;

export interface ApiSetPipelineAnswer {
  pipeline: ApiPipeline;
  created: boolean;
  warnings: ApiProblem[];
}

export interface ApiBuild {
  id: number;
  team: string;
  pipeline_id: number | null;
  pipeline_name: string | null;
  pipeline_instance_vars: Record<string, unknown> | null;
  job_id: number | null;
  job_name: string | null;
  name: string;
  status: ApiBuildStatus;
  rerun_of: number | null;
  manually_triggered: boolean;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  trigger_vars: Record<string, string> | null;
}

export interface ApiJob {
  id: number;
  pipeline_id: number;
  name: string;
  paused: boolean;
  next_build_number: number;
  finished_build: ApiBuild | null;
  next_build: ApiBuild | null;
  trigger_vars: Array<{ name: string; description?: string; default?: string; values?: string[] }>;
  manual_trigger_disabled: boolean;
}

export interface ApiVersion {
  id: number;
  version: Record<string, string>;
  metadata: Array<{ name: string; value: string }>;
  enabled: boolean;
  /** No longer at its source: never used, not pinnable. Absent from engines older than this field. */
  gone?: boolean;
  created_at: number;
}

export interface ApiResource {
  id: number;
  pipeline_id: number;
  name: string;
  type: string;
  pinned_version_id: number | null;
  pin_source: 'config' | 'api' | null;
  pin_comment: string | null;
  check_error: string | null;
  check_error_at: number | null;
  last_checked_version: ApiVersion | null;
}

export interface ApiCheckOutcome {
  ok: boolean;
  new_versions: number;
  error: string | null;
}

export interface ApiReason {
  code: string;
  message: string;
}

/** The scheduler's explanation of a job: why it is or is not running, input by input. */
export interface ApiExplanation {
  job_id: number;
  job: string;
  pipeline: string;
  summary: string;
  blockers: ApiReason[];
  inputs: Array<{
    name: string;
    resource: string;
    chosen: number | null;
    candidates: Array<{ version_id: number; version: Record<string, string>; accepted: boolean; rejections: ApiReason[] }>;
    omitted_candidates: number;
    reasons: ApiReason[];
  }>;
}

/** One build event as the event stream carries it (packages/engine/src/runner/events/build-event.ts). */
export type ApiBuildEvent = { seq: number; at: number } & (
  | { type: 'status'; origin?: undefined; data: { status: ApiBuildStatus; reason?: string } }
  | { type: 'step-started'; origin: string; data: { kind: string; name?: string } }
  | { type: 'log'; origin: string; data: { stream: 'stdout' | 'stderr' | 'weir'; line: string } }
  | {
      type: 'step-finished';
      origin: string;
      data: { outcome: 'succeeded' | 'failed' | 'errored' | 'aborted'; exit_status?: number; version?: Record<string, string>; metadata?: Array<{ name: string; value: string }>; message?: string };
    }
  | { type: 'error'; origin?: string; data: { code: string; message: string; hint?: string } }
);

export interface ApiErrorBody {
  error: { code: string; message: string; hint?: string; problems?: ApiProblem[] };
}
