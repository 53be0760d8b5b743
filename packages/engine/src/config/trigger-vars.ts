import { WeirError } from '../errors.js';
import type { TriggerVarConfig } from './schema/index.js';
import { suggest } from './suggest.js';

/**
 * The values a build of a job runs with: what a person gave when starting it, checked against
 * the job's `trigger_vars`, with defaults for the rest. A value not declared, not allowed or
 * missing is refused before any build exists, so a typo never starts "maintenance on".
 */
export function resolveTriggerVars(declared: readonly TriggerVarConfig[] | undefined, given: Readonly<Record<string, string>>, job: string): Record<string, string> {
  const vars = declared ?? [];
  const names = vars.map((v) => v.name);
  for (const name of Object.keys(given)) {
    if (names.includes(name)) continue;
    const guess = suggest(name, names);
    throw new WeirError('trigger-var-unknown', `job ${job} takes no var ${JSON.stringify(name)}`, {
      hint: names.length === 0 ? 'this job declares no trigger_vars: start it without -v' : guess ? `did you mean ${guess}? it takes ${names.join(', ')}` : `it takes ${names.join(', ')}`,
    });
  }
  const values: Record<string, string> = {};
  for (const v of vars) {
    const value = given[v.name] ?? v.default;
    if (value === undefined) {
      throw new WeirError('trigger-var-missing', `job ${job} needs a value for ${v.name}${v.description ? ` (${v.description})` : ''}`, {
        hint: `start it with -v ${v.name}=${v.values?.[0] ?? '<value>'}${v.values ? `; allowed: ${v.values.join(', ')}` : ''}`,
      });
    }
    if (v.values !== undefined && !v.values.includes(value)) {
      throw new WeirError('trigger-var-not-allowed', `${JSON.stringify(value)} is not a value of ${v.name} for job ${job}`, { hint: `allowed: ${v.values.join(', ')}` });
    }
    values[v.name] = value;
  }
  return values;
}

/** The values of a build the scheduler started: each declared var's default, where it has one. */
export function defaultTriggerVars(declared: readonly TriggerVarConfig[] | undefined): Record<string, string> {
  return Object.fromEntries((declared ?? []).flatMap((v) => (v.default === undefined ? [] : [[v.name, v.default]])));
}
