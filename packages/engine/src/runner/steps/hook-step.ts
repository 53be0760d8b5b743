import type { HookPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import { stopReasonOf } from '../stop-reasons.js';
import { runPlan } from '../run-plan.js';

/**
 * A step with a hook, with Concourse's semantics: `on_success` and `on_failure` follow the
 * step's result, `on_error` follows an error, `on_abort` an abort, and `ensure` runs whatever
 * happened. Hooks that run after an abort run under the engine's signal only, so cleanup
 * still happens; the original abort or error is passed on after the hook.
 */
export async function runHookStep(plan: HookPlan, scope: StepScope): Promise<boolean> {
  let ok: boolean;
  try {
    ok = await runPlan(plan.step, scope);
  } catch (error) {
    const stopped = stopReasonOf(scope.signal);
    if (stopped) {
      // Concourse runs on_abort whenever the step's context is cancelled: a user's abort, or a
      // fail_fast sibling; a timeout is a failure instead, and the engine stopping runs nothing new.
      const runsOnAbort = stopped.kind === 'build-aborted' || stopped.kind === 'fail-fast';
      const runsOnStop = stopped.kind !== 'engine-stopping' && (plan.kind === 'ensure' || (plan.kind === 'on_abort' && runsOnAbort));
      if (runsOnStop) await runHookQuietly(plan, { ...scope, signal: scope.engineSignal, outcome: runsOnAbort ? 'aborted' : 'errored' });
    } else if (plan.kind === 'on_error' || plan.kind === 'ensure') {
      await runHookQuietly(plan, { ...scope, outcome: 'errored' });
    }
    throw error;
  }
  const outcome = ok ? 'succeeded' : 'failed';
  switch (plan.kind) {
    case 'on_success':
      return ok ? runPlan(plan.hook, { ...scope, outcome }) : false;
    case 'on_failure':
      if (!ok) await runPlan(plan.hook, { ...scope, outcome });
      return ok;
    case 'ensure': {
      const hookOk = await runPlan(plan.hook, { ...scope, outcome });
      return ok && hookOk;
    }
    case 'on_error':
    case 'on_abort':
      return ok;
    default: {
      const unknown: never = plan.kind;
      throw new Error(`unknown hook ${String(unknown)}`);
    }
  }
}

/** A hook after an error or abort: its own failure is in its events, and the original cause wins. */
async function runHookQuietly(plan: HookPlan, scope: StepScope): Promise<void> {
  try {
    await runPlan(plan.hook, scope);
  } catch {
    // Reported by the hook's own steps; the build ends for the step's reason, not the hook's.
  }
}
