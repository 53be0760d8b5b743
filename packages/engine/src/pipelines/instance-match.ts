import type { InstanceVars } from '../store/records.js';

export type InstanceMatch<T> = { kind: 'found'; pipeline: T } | { kind: 'ambiguous'; candidates: T[] } | { kind: 'none' };

/**
 * The instance that instance vars typed by a user name. An exact match wins; otherwise vars
 * match when they differ only in a scalar's type: on a command line `pr:1` is the number 1,
 * but a set_pipeline step fed from a resource's version (always strings) made the instance with
 * pr "1", and the user means that one. Two loose matches are ambiguous, and the caller names both.
 */
export function matchInstance<T extends { instanceVars: InstanceVars }>(wanted: InstanceVars, instances: readonly T[]): InstanceMatch<T> {
  const exact = instances.find((instance) => valuesEqual(instance.instanceVars, wanted, false));
  if (exact) return { kind: 'found', pipeline: exact };
  const loose = instances.filter((instance) => valuesEqual(instance.instanceVars, wanted, true));
  if (loose.length === 1) return { kind: 'found', pipeline: loose[0]! };
  return loose.length === 0 ? { kind: 'none' } : { kind: 'ambiguous', candidates: loose };
}

function valuesEqual(a: unknown, b: unknown, loosely: boolean): boolean {
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && valuesEqual(a[key], b[key], loosely));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i], loosely));
  if (a === b) return true;
  return loosely && sameScalarText(a, b);
}

/** A number or boolean and the string that spells it: 1 and "1", true and "true". */
function sameScalarText(a: unknown, b: unknown): boolean {
  const spelled = (value: unknown) => typeof value === 'number' || typeof value === 'boolean';
  return (spelled(a) && typeof b === 'string' && String(a) === b) || (spelled(b) && typeof a === 'string' && String(b) === a);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
