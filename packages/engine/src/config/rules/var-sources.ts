import { asString, records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import { suggest } from '../suggest.js';
import { PIPELINE_VAR_SOURCE_TYPES, SERVER_ONLY_VAR_SOURCE_TYPES } from '../var-source-types.js';
import { findVarReferences, isWholeVarReference, parseVarReference } from '../vars.js';
import type { Rule } from './rule.js';

/**
 * `var_sources` as Concourse checks them: a known credential manager type that pipelines may
 * use, and configs whose `((source:var))` references to other var sources can be resolved in
 * some order (no source depending on itself, directly or through others). A reference to a
 * source that is not declared at all is reported by interpolation (`var-source-unknown`).
 */
export const varSources: Rule = ({ config }) => {
  const problems: Problem[] = [];
  const sources = records(config.var_sources);
  const declared = new Set(sources.map(([, s]) => asString(s.name)).filter((n): n is string => n !== undefined));

  const dependsOn = new Map<string, Set<string>>();
  for (const [index, source] of sources) {
    const name = asString(source.name);
    const type = asString(source.type);
    if (type !== undefined && !isWholeVarReference(type)) {
      const problem = checkType(type, index);
      if (problem) problems.push(problem);
    }
    if (name === undefined) continue;
    const deps = new Set<string>();
    collectSourceReferences(source.config, deps);
    for (const dep of deps) if (!declared.has(dep)) deps.delete(dep);
    dependsOn.set(name, deps);
  }

  for (const name of unresolvable(dependsOn)) {
    const index = sources.find(([, s]) => asString(s.name) === name)?.[0] as number;
    const deps = [...(dependsOn.get(name) ?? [])];
    const message = deps.includes(name)
      ? `var source "${name}" reads its own config from itself`
      : `var source "${name}" needs vars from ${deps.map((d) => `"${d}"`).join(', ')}, and these var sources wait on each other in a loop`;
    problems.push(error('var-source-cycle', ['var_sources', index, 'config'], message, 'a var source may only read ((other:vars)) from var sources that do not need it; break the loop'));
  }
  return problems;
};

function checkType(type: string, index: number): Problem | undefined {
  const path = ['var_sources', index, 'type'];
  if (PIPELINE_VAR_SOURCE_TYPES.includes(type)) return undefined;
  if (SERVER_ONLY_VAR_SOURCE_TYPES.includes(type)) {
    return error('var-source-type-unsupported', path, `credential manager type "${type}" cannot be used in a pipeline's var_sources`, `Concourse supports "${type}" only as the server's credential manager; in var_sources use one of ${PIPELINE_VAR_SOURCE_TYPES.join(', ')}`);
  }
  const guess = suggest(type, [...PIPELINE_VAR_SOURCE_TYPES, ...SERVER_ONLY_VAR_SOURCE_TYPES]);
  return error('var-source-type-unknown', path, `"${type}" is not a credential manager type`, guess ? `did you mean "${guess}"?` : `use one of ${PIPELINE_VAR_SOURCE_TYPES.join(', ')}`);
}

/** The var source names that `((name:path))` references anywhere in `value` point at. */
function collectSourceReferences(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    for (const raw of findVarReferences(value)) {
      const ref = parseVarReference(raw);
      if (typeof ref !== 'string' && ref.source !== undefined && ref.source !== '.') into.add(ref.source);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectSourceReferences(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      collectSourceReferences(key, into);
      collectSourceReferences(item, into);
    }
  }
}

/**
 * The sources that can never be set up because they wait, directly or not, on themselves: what
 * is left after repeatedly taking every source whose dependencies are all taken (Concourse's
 * OrderByDependency), in config order.
 */
function unresolvable(dependsOn: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const ready = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const [name, deps] of dependsOn) {
      if (ready.has(name)) continue;
      if ([...deps].every((d) => ready.has(d))) {
        ready.add(name);
        progress = true;
      }
    }
  }
  return [...dependsOn.keys()].filter((name) => !ready.has(name));
}
