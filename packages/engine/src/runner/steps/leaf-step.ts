import type { MetadataField, Version } from '@weir/resources';
import type { LogStream, StepOutcome } from '../events/build-event.js';
import type { StepScope } from '../running-build.js';
import { StepErrored } from '../step-errored.js';
import { describeStop, stopReasonOf } from '../stop-reasons.js';

/** The narrow way a step reports (habit 5): it never touches the store or the event stream. */
export interface StepReporter {
  log(stream: LogStream, line: string): void;
}

export interface LeafResult {
  ok: boolean;
  exit_status?: number;
  version?: Version;
  metadata?: MetadataField[];
}

/**
 * Runs a step that does work (get, put, task, set_pipeline, load_var) and reports its start,
 * its output and how it ended. A thrown error is the step *erroring*; `ok: false` is the
 * step *failing*; a stopped signal is an abort, a timeout or the engine stopping.
 */
export async function runLeafStep(
  plan: { id: string; kind: string },
  name: string | undefined,
  scope: StepScope,
  body: (reporter: StepReporter) => Promise<LeafResult>,
): Promise<boolean> {
  const { build } = scope;
  const { events, logger } = build.services;
  const origin = scope.prefix + plan.id;
  const redact = (text: string) => build.redactor.redact(text);
  events.append(build.id, { type: 'step-started', origin, data: { kind: plan.kind, ...(name !== undefined && { name }) } });
  const reporter: StepReporter = { log: (stream, line) => events.append(build.id, { type: 'log', origin, data: { stream, line: redact(line) } }) };
  try {
    if (scope.signal.aborted) throw scope.signal.reason;
    const result = await body(reporter);
    if (scope.signal.aborted) throw scope.signal.reason;
    // Metadata is what a resource printed about the version: it may quote a secret it was given.
    const { ok, ...details } = build.redactor.redactValue(result);
    events.append(build.id, { type: 'step-finished', origin, data: { outcome: ok ? 'succeeded' : 'failed', ...details } });
    return ok;
  } catch (error) {
    const stopped = stopReasonOf(scope.signal);
    if (stopped) {
      const outcome: StepOutcome = stopped.kind === 'timed-out' ? 'failed' : stopped.kind === 'engine-stopping' ? 'errored' : 'aborted';
      events.append(build.id, { type: 'step-finished', origin, data: { outcome, message: describeStop(stopped) } });
      throw scope.signal.reason;
    }
    const errored = StepErrored.from(error, redact);
    if (errored.code === 'internal-error') logger.error({ err: build.redactor.redactError(error), buildId: build.id, origin }, 'step failed unexpectedly');
    events.append(build.id, {
      type: 'error',
      origin,
      data: { code: errored.code, message: errored.message, ...(errored.hint !== undefined && { hint: errored.hint }) },
    });
    events.append(build.id, { type: 'step-finished', origin, data: { outcome: 'errored', message: errored.message } });
    throw errored;
  }
}
