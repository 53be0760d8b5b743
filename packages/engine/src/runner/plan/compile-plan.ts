import type {
  DoStepConfig,
  GetStepConfig,
  InParallelStepConfig,
  JobConfig,
  LoadVarStepConfig,
  PutStepConfig,
  RunStepConfig,
  SetPipelineStepConfig,
  StepConfig,
  StepKind,
  TaskStepConfig,
  TryStepConfig,
} from '../../config/schema/index.js';
import { STEP_HOOKS, stepKinds } from '../../config/step-tree.js';
import type { GetPlan, HookKind, Plan, PlanId, PutPlan } from './plan.js';

// How modifiers nest, outermost first, as Concourse parses them (`StepPrecedence` in
// atc/steps.go; atc/builds/planner.go then visits each wrapper around its inner plan):
//
//   ensure > on_error > on_abort > on_failure > on_success > across > attempts > timeout > step
//
// So each attempt gets the full timeout and a timed-out attempt is retried; `across` repeats the
// retried step per combination; hooks run once, after every attempt and every combination.
// A job is the same: its plan is an implicit `do`, wrapped in the job's hooks in the same order
// (`JobConfig.StepConfig` in atc/config.go).

/** Innermost hook first; a Record so that a new hook kind cannot be forgotten here. */
const HOOK_DEPTH: Record<HookKind, number> = { on_success: 0, on_failure: 1, on_abort: 2, on_error: 3, ensure: 4 };
const HOOKS_OUTERMOST_FIRST = STEP_HOOKS.toSorted((a, b) => HOOK_DEPTH[b] - HOOK_DEPTH[a]);

interface StepConfigByKind {
  get: GetStepConfig;
  put: PutStepConfig;
  task: TaskStepConfig;
  set_pipeline: SetPipelineStepConfig;
  load_var: LoadVarStepConfig;
  in_parallel: InParallelStepConfig;
  do: DoStepConfig;
  try: TryStepConfig;
  run: RunStepConfig;
}

type KindedStep = { [K in StepKind]: { kind: K; config: StepConfigByKind[K] } }[StepKind];

/** Builds one node around the plan `inner` returns; it takes its id before `inner` runs. */
type Layer = (inner: () => Plan) => Plan;

/**
 * A job's config → its build plan. Pure: the same job always gives the same plan, ids included
 * (a counter in depth-first order, a node before its children, a step before its hook).
 * The job must have passed validation; a step without exactly one kind is a caller's bug.
 */
export function compilePlan(job: JobConfig): Plan {
  let counter = 0;
  const nextId = (): PlanId => String(++counter);

  const nest = (layers: Layer[], core: () => Plan): Plan => {
    const [outer, ...rest] = layers;
    return outer ? outer(() => nest(rest, core)) : core();
  };

  const hookLayers = (hooks: Partial<Record<HookKind, StepConfig>>): Layer[] =>
    HOOKS_OUTERMOST_FIRST.flatMap((kind) => {
      const hookConfig = hooks[kind];
      if (hookConfig === undefined) return [];
      const layer: Layer = (inner) => {
        const id = nextId();
        const step = inner();
        return { kind, id, step, hook: compileStep(hookConfig) };
      };
      return [layer];
    });

  const modifierLayers = (config: StepConfig): Layer[] => {
    const layers = hookLayers(config);
    const { across, attempts, timeout } = config;
    if (across !== undefined) {
      layers.push((inner) => {
        const id = nextId();
        const vars = across.map((v) => ({ name: v.var, values: v.values, max_in_flight: v.max_in_flight ?? 1 }));
        return { kind: 'across', id, vars, fail_fast: config.fail_fast ?? false, step: inner() };
      });
    }
    if (attempts !== undefined) {
      layers.push((inner) => {
        const id = nextId();
        return { kind: 'attempts', id, attempts, step: inner() };
      });
    }
    if (timeout !== undefined) {
      layers.push((inner) => {
        const id = nextId();
        return { kind: 'timeout', id, duration: timeout, step: inner() };
      });
    }
    return layers;
  };

  function compileStep(config: StepConfig): Plan {
    return nest(modifierLayers(config), () => compileCore(kindOf(config)));
  }

  function compileCore(step: KindedStep): Plan {
    switch (step.kind) {
      case 'get': {
        const { config } = step;
        return {
          kind: 'get',
          id: nextId(),
          name: config.get,
          resource: config.resource ?? config.get,
          params: config.params ?? {},
          version: config.version ?? 'latest',
          passed: config.passed ?? [],
          trigger: config.trigger ?? false,
          tags: config.tags ?? [],
        };
      }
      case 'put':
        return compilePut(step.config);
      case 'task': {
        const { config } = step;
        return {
          kind: 'task',
          id: nextId(),
          name: config.task,
          ...(config.file !== undefined && { file: config.file }),
          ...(config.config !== undefined && { config: config.config }),
          ...(config.image !== undefined && { image: config.image }),
          params: config.params ?? {},
          vars: config.vars ?? {},
          input_mapping: config.input_mapping ?? {},
          output_mapping: config.output_mapping ?? {},
          privileged: config.privileged ?? false,
          hermetic: config.hermetic ?? false,
          ...(config.container_limits !== undefined && { container_limits: config.container_limits }),
          tags: config.tags ?? [],
          ...(config.claims !== undefined && { claims: config.claims }),
        };
      }
      case 'set_pipeline': {
        const { config } = step;
        return {
          kind: 'set_pipeline',
          id: nextId(),
          name: config.set_pipeline,
          file: config.file,
          vars: config.vars ?? {},
          var_files: config.var_files ?? [],
          instance_vars: config.instance_vars ?? {},
          ...(config.team !== undefined && { team: config.team }),
          ...(config.expire_after !== undefined && { expire_after: config.expire_after }),
        };
      }
      case 'load_var': {
        const { config } = step;
        return {
          kind: 'load_var',
          id: nextId(),
          name: config.load_var,
          file: config.file,
          ...(config.format !== undefined && { format: config.format }),
          reveal: config.reveal ?? false,
        };
      }
      case 'run': {
        const { config } = step;
        return {
          kind: 'run',
          id: nextId(),
          message: config.run,
          type: config.type,
          params: config.params ?? {},
          privileged: config.privileged ?? false,
          tags: config.tags ?? [],
        };
      }
      case 'in_parallel': {
        const id = nextId();
        const parallel = step.config.in_parallel;
        // Concourse accepts a bare list as shorthand for `{steps: [...]}`.
        const options = Array.isArray(parallel) ? { steps: parallel } : parallel;
        return {
          kind: 'in_parallel',
          id,
          steps: options.steps.map(compileStep),
          ...(options.limit !== undefined && { limit: options.limit }),
          fail_fast: options.fail_fast ?? false,
        };
      }
      case 'do': {
        const id = nextId();
        return { kind: 'do', id, steps: step.config.do.map(compileStep) };
      }
      case 'try': {
        const id = nextId();
        return { kind: 'try', id, step: compileStep(step.config.try) };
      }
      default: {
        const unhandled: never = step;
        throw new Error(`compilePlan: unhandled step kind ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /**
   * As Concourse's planner does: the put, then on its success a get of the version it produced,
   * so the put's own hooks wait for that get. `no_get` leaves the put alone.
   */
  function compilePut(config: PutStepConfig): Plan {
    const resource = config.resource ?? config.put;
    const tags = config.tags ?? [];
    const put = (): PutPlan => ({
      kind: 'put',
      id: nextId(),
      name: config.put,
      resource,
      params: config.params ?? {},
      inputs: config.inputs ?? 'all',
      tags,
    });
    if (config.no_get === true) return put();
    const pairId = nextId();
    const step = put();
    const get: GetPlan = {
      kind: 'get',
      id: nextId(),
      name: config.put,
      resource,
      params: config.get_params ?? {},
      version: 'latest',
      passed: [],
      trigger: false,
      tags,
      version_from: step.id,
    };
    return { kind: 'on_success', id: pairId, step, hook: get };
  }

  return nest(hookLayers(job), () => {
    const id = nextId();
    return { kind: 'do', id, steps: job.plan.map(compileStep) };
  });
}

/** Pairs a validated step with its kind, so a `switch` on the kind narrows the config. */
function kindOf(config: StepConfig): KindedStep {
  const kinds = stepKinds(config);
  const [kind] = kinds;
  if (kind === undefined || kinds.length > 1) {
    throw new Error(`compilePlan: a step must have exactly one kind, found ${kinds.length === 0 ? 'none' : kinds.join(', ')}`);
  }
  // The schema ties each kind key to its step shape, which TypeScript cannot see through `stepKinds`.
  return { kind, config } as KindedStep;
}
