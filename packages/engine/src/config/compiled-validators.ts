import { createHash } from 'node:crypto';
import type { Options, ValidateFunction } from 'ajv';
import { aheadOfTimeValidators } from './ahead-of-time-validators.js';

/**
 * The ajv options of each kind of validator weir compiles. Kept here, by name, so that a
 * validator compiled ahead of time (validator-code.ts) is compiled exactly as at run time.
 */
export const VALIDATOR_OPTIONS = {
  // Whole documents: every error, with the schema and data at each, for messages with hints.
  document: { allErrors: true, verbose: true, strict: false, allowUnionTypes: true },
  // Pass or fail only, for a type's source or params that are mostly right.
  quick: { strict: false },
} as const satisfies Record<string, Options>;

export type ValidatorKind = keyof typeof VALIDATOR_OPTIONS;

let compiledAhead: Map<string, ValidateFunction> | undefined;

/** The validator compiled ahead of time for this schema and kind, if this build has one. */
export function compiledValidator(kind: ValidatorKind, schema: object): ValidateFunction | undefined {
  if (aheadOfTimeValidators.length === 0) return undefined;
  compiledAhead ??= new Map(aheadOfTimeValidators);
  return compiledAhead.get(validatorKey(kind, schema));
}

/** The same schema content and options give the same key, so a changed schema never meets an old validator. */
export function validatorKey(kind: ValidatorKind, schema: object): string {
  return createHash('sha256').update(kind).update('\0').update(JSON.stringify(schema)).digest('base64url');
}
