import { CONCOURSE_BASE_RESOURCE_TYPES, type ResourceTypeCatalog } from '../concourse-base-types.js';
import { asRecord, asString, records } from '../loose.js';
import { error, warning, type PathSegment, type Problem } from '../problem.js';
import { suggest } from '../suggest.js';
import { isWholeVarReference } from '../vars.js';
import type { Rule } from './rule.js';

/**
 * Every `type:` names a type weir can run: one declared under resource_types, one of weir's
 * built-ins, or a Concourse base type (run from the image Concourse ships it in). A near miss of
 * a known name is an error (a typo); a name weir has never heard of is a warning, because
 * Concourse accepts it when the pipeline is set. A declaration with a built-in's name is
 * pointed out: as in Concourse, it wins over the built-in for this pipeline.
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
    if (name !== undefined && resourceTypes.builtin.has(name)) problems.push(overridesBuiltin(name, asString(type.type), ['resource_types', i, 'name']));
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
  if (declared.includes(name) || catalog.builtin.has(name) || CONCOURSE_BASE_RESOURCE_TYPES.includes(name)) return undefined;
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

/**
 * Concourse runs a declared type over a base type of the same name, and so does weir: the
 * pipeline's resources of that type run the declared image's scripts, not weir's built-in. Often
 * meant (to pin a type's version), sometimes not (a copied pipeline losing a built-in's webhooks
 * or speed), so it is said.
 */
function overridesBuiltin(name: string, fetcher: string | undefined, path: PathSegment[]): Problem {
  return warning(
    'resource-type-overrides-builtin',
    path,
    `resource type "${name}" is declared here, and weir has a built-in type of that name: this pipeline's resources of type "${name}" run the declared image's /opt/resource scripts${fetcher === name ? ` (its image is fetched with the built-in ${name})` : ''}, not weir's built-in`,
    `to use weir's built-in ${name}, remove this entry from resource_types; to keep the image, rename the type (and the resources' type:) to silence this`,
  );
}
