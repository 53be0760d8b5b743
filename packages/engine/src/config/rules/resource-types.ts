import { CONCOURSE_BASE_RESOURCE_TYPES, type ResourceTypeCatalog } from '../concourse-base-types.js';
import { asRecord, asString, records } from '../loose.js';
import { error, warning, type PathSegment, type Problem } from '../problem.js';
import { suggest } from '../suggest.js';
import { isWholeVarReference } from '../vars.js';
import type { Rule } from './rule.js';

/**
 * Every `type:` names a type weir knows: one declared under resource_types, one of weir's
 * built-ins, or a Concourse base type. A near miss of a known name is an error (a typo); base
 * types weir does not implement yet, and names it has never heard of, are warnings, because
 * Concourse accepts both when the pipeline is set.
 */
export const resourceTypesKnown: Rule = ({ config, resourceTypes, jobs }) => {
  const problems: Problem[] = [];
  const declared = records(config.resource_types)
    .map(([, t]) => asString(t.name))
    .filter((n): n is string => n !== undefined);
  const check = (type: unknown, path: PathSegment[], what: string, self?: string): void => {
    const name = asString(type);
    if (name === undefined || name === '' || isWholeVarReference(name)) return; // an empty type is the empty-type rule's
    const problem = classify(name, self === undefined ? declared : declared.filter((d) => d !== self), resourceTypes, path, what);
    if (problem) problems.push(problem);
  };
  for (const [i, resource] of records(config.resources)) check(resource.type, ['resources', i, 'type'], `resource "${asString(resource.name) ?? i}"`);
  for (const [i, type] of records(config.resource_types)) {
    const name = asString(type.name);
    check(type.type, ['resource_types', i, 'type'], `resource type "${name ?? i}"`, name);
  }
  for (const { steps } of jobs) {
    for (const { step, path } of steps) {
      const image = asRecord(asRecord(step.config)?.image_resource);
      if (image) check(image.type, [...path, 'config', 'image_resource', 'type'], 'the task image');
    }
  }
  return problems;
};

export function classify(name: string, declared: readonly string[], catalog: ResourceTypeCatalog, path: PathSegment[], what: string): Problem | undefined {
  if (declared.includes(name) || catalog.builtin.has(name)) return undefined;
  if (CONCOURSE_BASE_RESOURCE_TYPES.includes(name)) {
    return warning(
      'resource-type-not-runnable',
      path,
      `${what} uses Concourse's "${name}" type, which weir does not run yet`,
      `the pipeline is valid, but checks and steps using "${name}" will error until weir supports it; weir's built-in types are: ${[...catalog.builtin].sort().join(', ')}`,
    );
  }
  const guess = suggest(name, [...declared, ...catalog.builtin, ...CONCOURSE_BASE_RESOURCE_TYPES]);
  if (guess) {
    return error('unknown-resource-type', path, `${what} uses type "${name}", which is not declared under resource_types`, `did you mean "${guess}"?`);
  }
  // Concourse workers can be set up with extra base types, so Concourse accepts any name here.
  return warning(
    'undeclared-resource-type',
    path,
    `${what} uses type "${name}", which is neither declared under resource_types nor known to weir, so weir cannot run it`,
    `declare it under resource_types with the image that implements it; weir's built-in types are: ${[...catalog.builtin].sort().join(', ')}`,
  );
}
