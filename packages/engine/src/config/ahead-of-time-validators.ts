import type { ValidateFunction } from 'ajv';

/**
 * Validators compiled ahead of time, by `validatorKey`. None from the sources: ajv compiles each
 * schema at first use. A build may replace this module with compiled ones (the CLI's bundle does,
 * with the code from validator-code.ts), which saves a `weir validate` most of its start.
 */
export const aheadOfTimeValidators: ReadonlyArray<readonly [key: string, validate: ValidateFunction]> = [];
