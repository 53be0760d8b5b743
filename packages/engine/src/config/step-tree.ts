import { STEP_KIND_KEYS, type StepKind } from './schema/index.js';
import { asArray, asRecord, records, type LooseRecord } from './loose.js';
import type { PathSegment } from './problem.js';

export const STEP_HOOKS = ['on_success', 'on_failure', 'on_error', 'on_abort', 'ensure'] as const;

export interface StepVisit {
  step: LooseRecord;
  path: PathSegment[];
  /** Core step keys present; exactly one in a well-formed step. */
  kinds: StepKind[];
}

export function stepKinds(step: LooseRecord): StepKind[] {
  return STEP_KIND_KEYS.filter((key) => Object.hasOwn(step, key));
}

/** The steps nested directly in a step: through `do`, `in_parallel`, `try` and hooks. */
export function childSteps(step: LooseRecord, path: PathSegment[]): Array<{ step: LooseRecord; path: PathSegment[] }> {
  const children: Array<{ step: LooseRecord; path: PathSegment[] }> = [];
  const add = (value: unknown, at: PathSegment[]): void => {
    const record = asRecord(value);
    if (record) children.push({ step: record, path: at });
  };
  for (const [i, sub] of records(step.do)) add(sub, [...path, 'do', i]);
  const parallel = step.in_parallel;
  if (Array.isArray(parallel)) for (const [i, sub] of records(parallel)) add(sub, [...path, 'in_parallel', i]);
  else for (const [i, sub] of records(asRecord(parallel)?.steps)) add(sub, [...path, 'in_parallel', 'steps', i]);
  add(step.try, [...path, 'try']);
  for (const hook of STEP_HOOKS) add(step[hook], [...path, hook]);
  return children;
}

/** The top-level steps of a job: its plan, then its job-level hooks. */
export function jobSteps(job: LooseRecord, jobPath: PathSegment[]): Array<{ step: LooseRecord; path: PathSegment[] }> {
  const top: Array<{ step: LooseRecord; path: PathSegment[] }> = [];
  asArray(job.plan).forEach((item, i) => {
    const record = asRecord(item);
    if (record) top.push({ step: record, path: [...jobPath, 'plan', i] });
  });
  for (const hook of STEP_HOOKS) {
    const record = asRecord(job[hook]);
    if (record) top.push({ step: record, path: [...jobPath, hook] });
  }
  return top;
}

/** Every step of a job, depth first, parents before children. */
export function allJobSteps(job: LooseRecord, jobPath: PathSegment[]): StepVisit[] {
  const out: StepVisit[] = [];
  const visit = (step: LooseRecord, path: PathSegment[]): void => {
    out.push({ step, path, kinds: stepKinds(step) });
    for (const child of childSteps(step, path)) visit(child.step, child.path);
  };
  for (const top of jobSteps(job, jobPath)) visit(top.step, top.path);
  return out;
}

/** The resource a get or put step uses: `resource:` if given, else the step's name. */
export function stepResourceName(step: LooseRecord, kind: 'get' | 'put'): unknown {
  return step.resource ?? step[kind];
}
