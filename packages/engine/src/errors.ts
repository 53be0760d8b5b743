/**
 * An error a user can act on: a stable `code` for tests and tooling, a message saying what
 * went wrong, where it happened, and a hint saying what to do next.
 */
export class WeirError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly location: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; location?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeirError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
  }
}
