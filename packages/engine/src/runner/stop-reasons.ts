import { setMaxListeners } from 'node:events';

/**
 * Why a step's signal aborted. The runner tells these apart to decide a build's status: a
 * user's abort makes it `aborted`, the engine stopping makes it `errored`, a `timeout` fails
 * only the step it wraps, and `fail_fast` interrupts only the siblings of the step that failed.
 */
export type StopReason =
  | { kind: 'build-aborted' }
  | { kind: 'engine-stopping' }
  | { kind: 'timed-out'; planId: string; duration: string }
  | { kind: 'fail-fast'; planId: string };

export class StepStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(describeStop(reason));
    this.name = 'StepStopped';
  }
}

/** How every reason a build ended because the engine stopped begins: such a build did not fail on its own. */
export const ENGINE_STOPPED = 'the engine stopped while';

export function describeStop(reason: StopReason): string {
  switch (reason.kind) {
    case 'build-aborted':
      return 'the build was aborted';
    case 'engine-stopping':
      return `${ENGINE_STOPPED} the build was running`;
    case 'timed-out':
      return `the step timed out after ${reason.duration}`;
    case 'fail-fast':
      return 'a parallel step failed, so this one was interrupted (fail_fast)';
    default: {
      const unknown: never = reason;
      return String(unknown);
    }
  }
}

/** A controller whose signal carries a `StepStopped` naming why. */
export function stopController(): { signal: AbortSignal; stop(reason: StopReason): void } {
  const controller = new AbortController();
  // Every running build and step listens to its parent's signal; hundreds at once are normal.
  setMaxListeners(0, controller.signal);
  return { signal: controller.signal, stop: (reason) => controller.abort(new StepStopped(reason)) };
}

/** A child that stops when its parent does (with the parent's reason) or when told to. */
export function childStopController(parent: AbortSignal): { signal: AbortSignal; stop(reason: StopReason): void; release(): void } {
  const child = new AbortController();
  setMaxListeners(0, child.signal);
  const follow = () => child.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  return {
    signal: child.signal,
    stop: (reason) => child.abort(new StepStopped(reason)),
    release: () => parent.removeEventListener('abort', follow),
  };
}

export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  if (!signal.aborted) return undefined;
  return signal.reason instanceof StepStopped ? signal.reason.reason : { kind: 'build-aborted' };
}
