import type { Problem } from '../config/problem.js';
import { WeirError } from '../errors.js';
import type { CompiledPipelineSet, PipelineSetInput } from './compile-pipeline-set.js';
import { PipelineInvalidError } from './load-for-set.js';

/** What the engine's thread asks the pipeline compiler's worker, and what it answers. */
export interface CompileRequest {
  id: number;
  input: PipelineSetInput;
}

export type CompileReply = { id: number; compiled: CompiledPipelineSet } | { id: number; failure: CompileFailure };

/**
 * An error as data: structured clone keeps neither classes nor their own fields, and the API
 * renders a refusal from its class (`pipeline-invalid` with every problem) and its code.
 */
export type CompileFailure =
  | { kind: 'pipeline-invalid'; file: string; problems: Problem[] }
  | { kind: 'weir'; code: string; message: string; hint?: string; location?: string }
  | { kind: 'internal'; message: string; stack?: string };

export function failureOf(error: unknown): CompileFailure {
  if (error instanceof PipelineInvalidError) return { kind: 'pipeline-invalid', file: error.file, problems: error.problems };
  if (error instanceof WeirError) {
    return { kind: 'weir', code: error.code, message: error.message, ...(error.hint !== undefined && { hint: error.hint }), ...(error.location !== undefined && { location: error.location }) };
  }
  const cause = error instanceof Error ? error : new Error(String(error));
  return { kind: 'internal', message: cause.message, ...(cause.stack !== undefined && { stack: cause.stack }) };
}

/** The error the compiler would have thrown on the engine's thread. */
export function errorOf(failure: CompileFailure): Error {
  switch (failure.kind) {
    case 'pipeline-invalid':
      return new PipelineInvalidError(failure.file, failure.problems);
    case 'weir':
      return new WeirError(failure.code, failure.message, {
        ...(failure.hint !== undefined && { hint: failure.hint }),
        ...(failure.location !== undefined && { location: failure.location }),
      });
    case 'internal': {
      const error = new Error(failure.message);
      if (failure.stack !== undefined) error.stack = failure.stack;
      return error;
    }
    default: {
      const unknown: never = failure;
      throw new Error(`unknown compile failure ${JSON.stringify(unknown)}`);
    }
  }
}
