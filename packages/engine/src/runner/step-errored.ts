import { ResourceError } from '@weir/resources';
import { WeirError } from '../errors.js';

/**
 * A step errored (as opposed to failing): weir or a resource could not do what was asked. The
 * step has already reported it; wrappers pass it on so the build ends `errored`.
 */
export class StepErrored extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StepErrored';
  }

  /** What a user reads for any error thrown inside a step; bugs are named as bugs. */
  static from(error: unknown, redact: (text: string) => string): StepErrored {
    if (error instanceof StepErrored) return error;
    if (error instanceof WeirError || error instanceof ResourceError) {
      return new StepErrored(error.code, redact(error.message), error.hint);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new StepErrored('internal-error', redact(`weir failed unexpectedly: ${message}`), 'this is a bug in weir or in a resource type; the engine log has the details');
  }
}
