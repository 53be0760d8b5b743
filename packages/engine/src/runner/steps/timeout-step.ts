import { parseDuration } from '../../config/duration.js';
import { WeirError } from '../../errors.js';
import type { TimeoutPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import { StepStopped, childStopController } from '../stop-reasons.js';
import { runPlan } from '../run-plan.js';

/** Interrupts the step when the duration passes; like Concourse, that *fails* the step. */
export async function runTimeoutStep(plan: TimeoutPlan, scope: StepScope): Promise<boolean> {
  const duration = scope.vars.interpolate(plan.duration, `timeout of step ${plan.id}`);
  const ms = typeof duration === 'string' ? parseDuration(duration) : undefined;
  if (ms === undefined) {
    throw new WeirError('timeout-invalid', `timeout ${JSON.stringify(duration)} is not a duration`, {
      location: `step ${plan.id}`,
      hint: 'write it as Go does, e.g. 90s, 30m or 1h30m',
    });
  }
  const limit = childStopController(scope.signal);
  const timer = setTimeout(() => limit.stop({ kind: 'timed-out', planId: plan.id, duration: String(duration) }), ms);
  try {
    const ok = await runPlan(plan.step, { ...scope, signal: limit.signal });
    return ok && !timedOut(limit.signal, plan.id);
  } catch (error) {
    if (!scope.signal.aborted && timedOut(limit.signal, plan.id)) return false;
    throw error;
  } finally {
    clearTimeout(timer);
    limit.release();
  }
}

function timedOut(signal: AbortSignal, planId: string): boolean {
  return signal.aborted && signal.reason instanceof StepStopped && signal.reason.reason.kind === 'timed-out' && signal.reason.reason.planId === planId;
}
