import { CliError } from '../cli-error.js';
import type { ApiProblem } from './api-types.js';

/** The engine said no: a 4xx with its error code, or a 500 (a bug in weir). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    hint: string | undefined,
    readonly problems: ApiProblem[] = [],
  ) {
    super(message, hint);
    this.name = 'ApiError';
  }
}

/** No answer at all: nothing listens at the URL, or the connection broke. */
export class EngineUnreachableError extends CliError {
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = 'EngineUnreachableError';
  }
}
