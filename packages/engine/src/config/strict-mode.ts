import type { Problem } from './problem.js';

/**
 * Warnings `weir validate --strict` lets pass. Every other warning fails it: Concourse's own
 * warnings (identifiers, build_logs_to_retain, a task's overridden image, a shadowed local var),
 * which fail `fly validate-pipeline --strict`; what fly's strict unmarshalling refuses (unknown
 * top-level keys, a YAML 1.1 boolean key); and weir's warnings that mean a run will break (a
 * source or params a built-in type refuses, a type nothing provides, a teardown that can wait
 * forever). A warning not yet classified fails too: strict errs on the side of saying so.
 */
const PASSES_STRICT: ReadonlyMap<string, string> = new Map([
  ['var-undefined', 'a credential manager supplies it at run time, as fly assumes'],
  ['static-var-looks-secret', 'the run works; the advice is about where the value is kept'],
  ['resource-type-overrides-builtin', 'the declaration wins, as in Concourse, on purpose'],
  ['across-without-values', 'Concourse accepts it; the step runs nothing'],
]);

export function failsStrict(problem: Problem): boolean {
  return problem.severity === 'error' || !PASSES_STRICT.has(problem.code);
}
