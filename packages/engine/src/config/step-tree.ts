import { STEP_KIND_KEYS, type StepKind } from './schema/index.js';
import { asRecord, records, type LooseRecord } from './loose.js';
import type { PathSegment } from './problem.js';

export const STEP_HOOKS = ['on_success', 'on_failure', 'on_error', 'on_abort', 'ensure'] as const;

export interface StepVisit {
  step: LooseRecord;
  path: PathSegment[];
  /** Core step keys present; exactly one in a well-formed step. */
  kinds: StepKind[];
  /** How many steps enclose this one (0 for a plan item or a job hook), so a flat walk can tell where a scope ends. */
  depth: number;
}

/** A job of a pipeline with every step in it, walked once and shared by the rules that look at steps. */
export interface PipelineJob {
  /** Index in `jobs`. */
  index: number;
  job: LooseRecord;
  steps: StepVisit[];
}

export function stepKinds(step: LooseRecord): StepKind[] {
  const kinds: StepKind[] = [];
  for (const key of STEP_KIND_KEYS) if (Object.hasOwn(step, key)) kinds.push(key);
  return kinds;
}

/** Every step of a job, depth first, parents before children. */
export function allJobSteps(job: LooseRecord, jobPath: PathSegment[]): StepVisit[] {
  const out: StepVisit[] = [];
  const plan = job.plan;
  if (Array.isArray(plan)) for (let i = 0; i < plan.length; i++) addStep(out, plan[i], jobPath, 'plan', i, 0);
  for (const hook of STEP_HOOKS) addStep(out, job[hook], jobPath, hook, undefined, 0);
  return out;
}

/** Every job that is a mapping, with its steps. */
export function pipelineJobs(config: LooseRecord): PipelineJob[] {
  return records(config.jobs).map(([index, job]) => ({ index, job, steps: allJobSteps(job, ['jobs', index]) }));
}

/**
 * Appends `value`, found at `parentPath` + `key` (+ `index`), and the steps nested in it through
 * `do`, `in_parallel`, `try` and hooks; anything that is not a mapping is skipped. Written as one
 * recursive function with no intermediate lists because every rule used to walk every step.
 */
function addStep(out: StepVisit[], value: unknown, parentPath: PathSegment[], key: PathSegment, index: number | undefined, depth: number): void {
  const step = asRecord(value);
  if (!step) return;
  const path = index === undefined ? [...parentPath, key] : [...parentPath, key, index];
  out.push({ step, path, kinds: stepKinds(step), depth });
  const children = depth + 1;
  const sequence = step.do;
  if (Array.isArray(sequence)) for (let i = 0; i < sequence.length; i++) addStep(out, sequence[i], path, 'do', i, children);
  const parallel = step.in_parallel;
  if (Array.isArray(parallel)) {
    for (let i = 0; i < parallel.length; i++) addStep(out, parallel[i], path, 'in_parallel', i, children);
  } else {
    const nested = asRecord(parallel)?.steps;
    if (Array.isArray(nested)) {
      const at = [...path, 'in_parallel'];
      for (let i = 0; i < nested.length; i++) addStep(out, nested[i], at, 'steps', i, children);
    }
  }
  addStep(out, step.try, path, 'try', undefined, children);
  for (const hook of STEP_HOOKS) addStep(out, step[hook], path, hook, undefined, children);
}

/** The resource a get or put step uses: `resource:` if given, else the step's name. */
export function stepResourceName(step: LooseRecord, kind: 'get' | 'put'): unknown {
  return step.resource ?? step[kind];
}
