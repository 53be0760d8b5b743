import { hasUnsafeCharacters, showUnsafeCharacters } from '../config/unsafe-characters.js';
import { WeirError } from '../errors.js';
import type { InstanceVars } from '../store/records.js';

/**
 * Refuses a pipeline name or instance vars that cannot name a pipeline safely: empty, with a
 * "/" (fly's PIPELINE/JOB would be ambiguous), "." or ".." (they read as paths), or holding
 * control or text-direction characters (a NUL breaks every task's paths; an escape sequence
 * reaches the terminal of whoever lists pipelines).
 */
export function checkPipelineRef(name: string, instanceVars: InstanceVars | undefined): void {
  if (name.trim() === '' || name.includes('/') || name === '.' || name === '..') {
    throw new WeirError('pipeline-name-invalid', `${JSON.stringify(name)} cannot name a pipeline`, {
      location: name,
      hint: 'use a name without "/", not "." or "..", e.g. my-app; tell instances apart with instance vars',
    });
  }
  if (hasUnsafeCharacters(name)) {
    throw new WeirError('pipeline-name-invalid', `the pipeline name "${showUnsafeCharacters(name)}" holds control or text-direction characters`, {
      location: showUnsafeCharacters(name),
      hint: 'use lowercase letters, digits, "-", "_" and "."',
    });
  }
  for (const text of unsafeInstanceVarTexts(instanceVars ?? {})) {
    throw new WeirError('instance-vars-invalid', `the instance var "${showUnsafeCharacters(text)}" holds control or text-direction characters`, {
      location: showUnsafeCharacters(name),
      hint: 'instance vars name a pipeline: use printable text in their names and values',
    });
  }
}

/** Keys and string values, at any depth, that hold unsafe characters. */
function* unsafeInstanceVarTexts(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    if (hasUnsafeCharacters(value)) yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* unsafeInstanceVarTexts(item);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (hasUnsafeCharacters(key)) yield key;
      yield* unsafeInstanceVarTexts(item);
    }
  }
}
