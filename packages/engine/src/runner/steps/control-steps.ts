import type { AttemptsPlan, DoPlan, InParallelPlan, TryPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import { stopReasonOf } from '../stop-reasons.js';
import { runPlan } from '../run-plan.js';
import { runConcurrently } from './run-concurrently.js';

/** Steps one after another; the first that fails ends the sequence. */
export async function runDoStep(plan: DoPlan, scope: StepScope): Promise<boolean> {
  for (const step of plan.steps) {
    if (!(await runPlan(step, scope))) return false;
  }
  return true;
}

/** Failure and error are both masked; an abort is not. */
export async function runTryStep(plan: TryPlan, scope: StepScope): Promise<boolean> {
  try {
    await runPlan(plan.step, scope);
  } catch (error) {
    if (stopReasonOf(scope.signal)) throw error;
  }
  return true;
}

export function runInParallelStep(plan: InParallelPlan, scope: StepScope): Promise<boolean> {
  return runConcurrently(
    scope,
    { count: plan.steps.length, limit: plan.limit ?? plan.steps.length, failFast: plan.fail_fast, planId: plan.id },
    (index, signal) => runPlan(plan.steps[index]!, { ...scope, signal }),
  );
}

/**
 * Runs the step again after a failure or an error, as Concourse does, but never after an
 * abort. Each attempt's events are told apart by the attempt number in their origin.
 */
export async function runAttemptsStep(plan: AttemptsPlan, scope: StepScope): Promise<boolean> {
  for (let attempt = 1; attempt <= plan.attempts; attempt++) {
    const last = attempt === plan.attempts;
    try {
      if (await runPlan(plan.step, { ...scope, prefix: `${scope.prefix}${plan.id}[${attempt}]/` })) return true;
    } catch (error) {
      if (stopReasonOf(scope.signal) || last) throw error;
    }
  }
  return false;
}
