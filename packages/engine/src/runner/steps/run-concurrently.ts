import type { StepScope } from '../running-build.js';
import { StepStopped, childStopController, stopReasonOf, type StopReason } from '../stop-reasons.js';

/**
 * Runs `count` branches with at most `limit` at once, for in_parallel and across. With
 * `failFast`, the first branch that fails or errors stops the rest (they end `aborted`, and
 * their results do not count); otherwise every branch runs to its end. Resolves true when all
 * succeeded; throws the first error if any branch errored; throws the scope's reason if the
 * scope itself was stopped.
 */
export async function runConcurrently(
  scope: StepScope,
  options: { count: number; limit: number; failFast: boolean; planId: string },
  runBranch: (index: number, signal: AbortSignal) => Promise<boolean>,
): Promise<boolean> {
  const siblings = childStopController(scope.signal);
  const failFastReason: StopReason = { kind: 'fail-fast', planId: options.planId };
  let ok = true;
  let firstError: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count && !siblings.signal.aborted) {
      const index = next++;
      try {
        if (!(await runBranch(index, siblings.signal))) {
          ok = false;
          if (options.failFast) siblings.stop(failFastReason);
        }
      } catch (error) {
        ok = false;
        const stoppedByFailFast = error instanceof StepStopped && error.reason.kind === 'fail-fast' && error.reason.planId === options.planId;
        if (!stoppedByFailFast) {
          firstError ??= error;
          if (options.failFast) siblings.stop(failFastReason);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.limit, options.count)) }, worker));
  } finally {
    siblings.release();
  }
  if (stopReasonOf(scope.signal)) throw scope.signal.reason;
  if (firstError !== undefined) throw firstError;
  return ok;
}
