/** The HTTP API (docs/api.md), the only thing the UI talks to. */

export interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

export type InstanceVars = Record<string, unknown>;

/** A pipeline as routes name it: its name and, for an instance, its vars. */
export interface PipelineRef {
  name: string;
  instanceVars?: InstanceVars | null;
}

export type BuildStatus = 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';

export interface Pipeline {
  id: number;
  name: string;
  instance_vars: InstanceVars;
  paused: boolean;
  archived: boolean;
  parent: { job_id: number; build_id: number; set_at: number } | null;
  expires_at: number | null;
  retiring: { reason: string; teardown_build_id: number | null; teardown_status: string | null } | null;
  config?: Record<string, unknown>;
}

export type PipelineStatus = 'paused' | 'running' | 'errored' | 'failed' | 'aborted' | 'succeeded' | 'pending';

export interface DashboardPipeline extends Pipeline {
  summary: {
    status: PipelineStatus;
    jobs: { total: number; succeeded: number; failed: number; errored: number; aborted: number; running: number; pending: number; paused: number };
    check_errors: number;
  };
}

export interface Build {
  id: number;
  pipeline_id: number | null;
  pipeline_name: string | null;
  pipeline_instance_vars: InstanceVars | null;
  job_id: number | null;
  job_name: string | null;
  name: string;
  status: BuildStatus;
  rerun_of: number | null;
  manually_triggered: boolean;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  /** The values of the job's trigger_vars the build runs with. */
  trigger_vars: Record<string, string> | null;
}

/** A value a person gives when starting a one-click job. */
export interface TriggerVar {
  name: string;
  description?: string;
  default?: string;
  values?: string[];
}

export interface Job {
  id: number;
  name: string;
  paused: boolean;
  finished_build: Build | null;
  next_build: Build | null;
  trigger_vars: TriggerVar[];
  manual_trigger_disabled: boolean;
}

export interface Version {
  id: number;
  version: Record<string, string>;
  metadata: Array<{ name: string; value: string }>;
  enabled: boolean;
  /** No longer at its source: never used, not pinnable. */
  gone: boolean;
  created_at: number;
}

export interface Resource {
  id: number;
  name: string;
  type: string;
  pinned_version_id: number | null;
  pin_source: 'config' | 'api' | null;
  pin_comment: string | null;
  check_error: string | null;
  check_error_at: number | null;
  last_checked_version: Version | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  resources: string[];
  kind: 'input' | 'passed' | 'output';
  trigger: boolean;
}

export interface PipelineGraph {
  jobs: Array<{ name: string; groups: string[] }>;
  resources: Array<{ name: string; type: string }>;
  edges: GraphEdge[];
  groups: Array<{ name: string; jobs: string[] }>;
}

export interface Reason {
  code: string;
  message: string;
}

export interface Explanation {
  summary: string;
  blockers: Reason[];
  inputs: Array<{
    name: string;
    resource: string;
    chosen: number | null;
    candidates: Array<{ version_id: number; version: Record<string, string>; accepted: boolean; rejections: Reason[] }>;
    omitted_candidates: number;
    reasons: Reason[];
  }>;
}

export interface BuildResources {
  inputs: Array<Version & { name: string; resource: string | null }>;
  outputs: Array<Version & { resource: string | null }>;
}

export interface BuildEvent {
  seq: number;
  at: number;
  type: 'status' | 'step-started' | 'log' | 'step-finished' | 'error';
  origin?: string;
  data: Record<string, unknown>;
}

export interface Session {
  logged_in: boolean;
  csrf_token?: string;
}

let csrfToken: string | undefined;

/** Remembered from the session answer; sent with every request that changes something. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-weir-csrf'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    let error: ApiErrorBody = { code: 'http-error', message: `${method} ${path} answered ${response.status}` };
    try {
      error = (JSON.parse(text) as { error: ApiErrorBody }).error;
    } catch {
      // Not weir's JSON (a proxy's page): keep the status line.
    }
    throw new ApiError(response.status, error);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);

/** `/pipelines/NAME` plus the instance vars query every route under it takes, and `query`'s parameters. */
export function pipelinePath(ref: PipelineRef, rest = '', query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query);
  if (ref.instanceVars && Object.keys(ref.instanceVars).length > 0) params.set('instance_vars', JSON.stringify(ref.instanceVars));
  const search = params.toString();
  return `/pipelines/${encodeURIComponent(ref.name)}${rest}${search ? `?${search}` : ''}`;
}
