import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { compiledValidator, VALIDATOR_OPTIONS } from './compiled-validators.js';

/**
 * Checking a resource's source and a step's params against its type's schemas, shared by the
 * runner (which refuses what does not fit) and the validator (which warns about it ahead of time),
 * so both read the same way and accept the same things.
 */

const modeOptions: Record<'exact' | 'coercing' | 'quick', Options> = {
  // verbose: a type error can then say what the pipeline wrote (`"false"` is a string, not false).
  exact: { allErrors: true, strict: false, verbose: true },
  // Params read as Concourse's resource scripts read them, as text: `"true"` is true and `"5"` is
  // 5, so a quoted value or one a string var filled in still means what it says.
  coercing: { allErrors: true, strict: false, verbose: true, coerceTypes: true },
  // Pass or fail only: a tenth of the cost of the two above, for values that are mostly right.
  quick: VALIDATOR_OPTIONS.quick,
};
// Made at first need: with validators compiled ahead of time, only a value that does not fit needs one.
const compilers: Partial<Record<'exact' | 'coercing' | 'quick', Ajv>> = {};
const compiled = { exact: new WeakMap<object, ValidateFunction>(), coercing: new WeakMap<object, ValidateFunction>(), quick: new WeakMap<object, ValidateFunction>() };

/**
 * `exact` for a source; `coercing` for params, which it may change in place (validate a copy);
 * `quick` to learn only whether a value fits as it is, without errors.
 */
export function typeSchemaValidator(schema: Record<string, unknown>, mode: 'exact' | 'coercing' | 'quick'): ValidateFunction {
  let validate = compiled[mode].get(schema);
  if (!validate) {
    validate = (mode === 'quick' ? compiledValidator('quick', schema) : undefined) ?? (compilers[mode] ??= new Ajv(modeOptions[mode])).compile(schema);
    compiled[mode].set(schema, validate);
  }
  return validate;
}

/** A param set to null (`tag: ~`) is one not given, as the types read it; coercion would make it "" or 0. */
export function withoutNulls<P>(params: P): P {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== null)) as P;
}

/** One schema error as the end of a sentence about the field it is at ("has an unknown field x"). */
export function schemaErrorText(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `has an unknown field ${String(error.params.additionalProperty)}`;
    case 'type':
      return `must be ${String(error.params.type)}, not ${jsonType(error.data)}`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** The kind of value, never the value: params and sources may hold secrets from vars. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' && Number.isInteger(value) ? 'an integer' : `a ${typeof value}`;
}
