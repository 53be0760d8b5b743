import type { ContainerLimitsConfig, TaskConfig } from '../../config/schema/index.js';
import type { STEP_HOOKS } from '../../config/step-tree.js';

// A build plan: the middle layer between a job's config and the steps that run it. It is plain
// JSON, stored with the build, so a build can be shown and rerun exactly as it was planned even
// after the pipeline changes. Every node has an `id`, unique within the plan, that build events
// name. Field names follow the config's (snake_case) so the two read side by side.

/** Unique within one plan; the same config always gets the same ids. */
export type PlanId = string;

/** Which version a get fetches, exactly as the config chose it. */
export type GetVersion = 'latest' | 'every' | Record<string, string>;

export interface GetPlan {
  kind: 'get';
  id: PlanId;
  /** The artifact name later steps use. */
  name: string;
  resource: string;
  params: Record<string, unknown>;
  version: GetVersion;
  passed: string[];
  trigger: boolean;
  tags: string[];
  /**
   * Set only on the get that follows a put: fetch the version the put with this id produced,
   * instead of the build's input of this name. `version`, `passed` and `trigger` do not apply then.
   */
  version_from?: PlanId;
}

/**
 * A put on its own. The fetch that follows it is not part of this node: like Concourse, the
 * compiler pairs them in an `on_success` node whose hook is a get with `version_from` set to
 * this put's id, so the put's own hooks wait for that fetch and a failed fetch fails the step.
 */
export interface PutPlan {
  kind: 'put';
  id: PlanId;
  name: string;
  resource: string;
  params: Record<string, unknown>;
  /** `all`, `detect` (artifacts named by the first path segment of a string in `params`), or these names. */
  inputs: 'all' | 'detect' | string[];
  tags: string[];
}

export interface TaskPlan {
  kind: 'task';
  id: PlanId;
  name: string;
  /** Exactly one of `file` and `config` is set; a file is read from an artifact when the step runs. */
  file?: string;
  /** Inline config, `image_resource` included: the executor decides what to do with the image. */
  config?: TaskConfig;
  /** Artifact holding the image, overriding the config's `image_resource`. */
  image?: string;
  params: Record<string, unknown>;
  vars: Record<string, unknown>;
  input_mapping: Record<string, string>;
  output_mapping: Record<string, string>;
  privileged: boolean;
  hermetic: boolean;
  container_limits?: ContainerLimitsConfig;
  tags: string[];
  /** Volumes mounted into the task (weir's `claims`), as written: `claim` may hold ((vars)). */
  claims?: Array<{ claim: string; path: string; read_only?: boolean }>;
}

export interface SetPipelinePlan {
  kind: 'set_pipeline';
  id: PlanId;
  /** A pipeline name, or `self` for the pipeline the build belongs to. */
  name: string;
  file: string;
  vars: Record<string, unknown>;
  var_files: string[];
  instance_vars: Record<string, unknown>;
  team?: string;
  /** weir's lease: archived when the job has not set it again for this long (a Go duration). */
  expire_after?: string;
}

export interface LoadVarPlan {
  kind: 'load_var';
  id: PlanId;
  name: string;
  file: string;
  /** Unset means guessed from the file's extension when the step runs. */
  format?: 'json' | 'yaml' | 'yml' | 'trim' | 'raw';
  reveal: boolean;
}

/** Concourse's experimental prototype message; kept so a plan covers every step kind the config accepts. */
export interface RunPlan {
  kind: 'run';
  id: PlanId;
  message: string;
  type: string;
  params: Record<string, unknown>;
  privileged: boolean;
  tags: string[];
}

export interface InParallelPlan {
  kind: 'in_parallel';
  id: PlanId;
  steps: Plan[];
  /** Most steps running at once; unset means no limit. */
  limit?: number;
  fail_fast: boolean;
}

export interface DoPlan {
  kind: 'do';
  id: PlanId;
  steps: Plan[];
}

export interface TryPlan {
  kind: 'try';
  id: PlanId;
  step: Plan;
}

export interface AcrossVar {
  name: string;
  values: unknown[];
  /** How many of this var's values run at once. */
  max_in_flight: number | 'all';
}

/**
 * `step` is a template run once per combination of the vars' values. Unlike Concourse's planner
 * it is not expanded here, so the plan stays small; the runner scopes each run's events under
 * this node's id and the combination's index.
 */
export interface AcrossPlan {
  kind: 'across';
  id: PlanId;
  vars: AcrossVar[];
  fail_fast: boolean;
  step: Plan;
}

export type HookKind = (typeof STEP_HOOKS)[number];

/** Runs `step`, then `hook` when the outcome matches the kind (always, for `ensure`). */
export interface HookPlan {
  kind: HookKind;
  id: PlanId;
  step: Plan;
  hook: Plan;
}

export interface TimeoutPlan {
  kind: 'timeout';
  id: PlanId;
  /**
   * As written (a Go duration such as `1h30m`): it may still hold a local var, `((.:limit))`,
   * that only has a value when the step runs.
   */
  duration: string;
  step: Plan;
}

/** Runs `step` again, from scratch, until it succeeds or has run `attempts` times. */
export interface AttemptsPlan {
  kind: 'attempts';
  id: PlanId;
  attempts: number;
  step: Plan;
}

export type Plan =
  | GetPlan
  | PutPlan
  | TaskPlan
  | SetPipelinePlan
  | LoadVarPlan
  | RunPlan
  | InParallelPlan
  | DoPlan
  | TryPlan
  | AcrossPlan
  | HookPlan
  | TimeoutPlan
  | AttemptsPlan;

export type PlanKind = Plan['kind'];
