import type { ErrorObject } from 'ajv';
import type { BuiltinTypeSchemas } from '../concourse-base-types.js';
import { pointerPath, valueAt } from '../json-pointer.js';
import { asString, records } from '../loose.js';
import { warning, type PathSegment, type Problem } from '../problem.js';
import { stepResourceName } from '../step-tree.js';
import { suggest } from '../suggest.js';
import { schemaErrorText, typeSchemaValidator, withoutNulls } from '../type-schemas.js';
import type { Rule } from './rule.js';

/**
 * A resource of a built-in type, and the get and put steps using it, against what the type
 * accepts: the runner refuses a source or params that do not fit, so the validator says so
 * first. A type the pipeline declares under resource_types runs from its image even when it
 * has a built-in's name, and its scripts judge their own source and params. Warnings, not errors: Concourse passes both to its resource scripts unread, so a
 * pipeline written for it still loads. A value holding a ((var)) is judged once the var is filled
 * in, at run time.
 */
export const resourceConfigs: Rule = ({ config, resourceTypes, jobs }) => {
  const { schemas } = resourceTypes;
  if (schemas === undefined || schemas.size === 0) return [];
  const problems: Problem[] = [];
  const typed = new Map<string, { type: string; schemas: BuiltinTypeSchemas }>();
  const declared = new Set(records(config.resource_types).map(([, type]) => asString(type.name)));
  for (const [i, resource] of records(config.resources)) {
    const name = asString(resource.name);
    const type = asString(resource.type);
    const found = type === undefined || declared.has(type) ? undefined : schemas.get(type);
    if (name === undefined || type === undefined || found === undefined) continue;
    typed.set(name, { type, schemas: found });
    const part = { code: 'resource-source-invalid', owner: `the source of resource "${name}"`, type, when: 'when it is checked' };
    problems.push(...checkPart(found.source, resource.source ?? {}, ['resources', i, 'source'], 'exact', part));
  }
  for (const { steps } of jobs) {
    for (const { step, path, kinds } of steps) {
      const kind = kinds.length === 1 ? kinds[0] : undefined;
      if (kind !== 'get' && kind !== 'put') continue;
      const resource = asString(stepResourceName(step, kind));
      const entry = resource === undefined ? undefined : typed.get(resource);
      if (entry === undefined) continue;
      const stepName = `${kind} step "${asString(step[kind]) ?? resource}"`;
      const when = 'when the step runs';
      const schema = kind === 'get' ? entry.schemas.getParams : entry.schemas.putParams;
      problems.push(...checkPart(schema, step.params ?? {}, [...path, 'params'], 'coercing', { code: `${kind}-params-invalid`, owner: `the params of the ${stepName}`, type: entry.type, when }));
      // With no_get there is no get after the put, so nothing reads get_params.
      if (kind === 'put' && step.get_params !== undefined && step.no_get !== true) {
        problems.push(...checkPart(entry.schemas.getParams, step.get_params, [...path, 'get_params'], 'coercing', { code: 'get-params-invalid', owner: `the get_params of the ${stepName}`, type: entry.type, when }));
      }
    }
  }
  return problems;
};

interface Part {
  code: string;
  /** "the source of resource "app"", for messages. */
  owner: string;
  type: string;
  /** When weir would refuse it: "when the step runs". */
  when: string;
}

/** Keywords whose verdict can turn on another field (`if` a field is x, `then` y is required). */
const BRANCHING = new Set(['required', 'if', 'then', 'else', 'anyOf', 'oneOf', 'dependentRequired', 'dependencies']);

function checkPart(schema: Record<string, unknown> | undefined, value: unknown, path: PathSegment[], mode: 'exact' | 'coercing', part: Part): Problem[] {
  // Not a mapping: the pipeline schema has said so already.
  if (schema === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  // Most sources and params fit as written: only those that do not are copied and looked at closely.
  if (typeSchemaValidator(schema, 'quick')(value)) return [];
  const candidate = mode === 'coercing' ? withoutNulls(structuredClone(value)) : value;
  const validate = typeSchemaValidator(schema, mode);
  if (validate(candidate)) return [];
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    // `if` only says that a `then` failed, which has its own error.
    if (error.keyword === 'if') continue;
    const at = pointerPath(value, error.instancePath);
    const found = valueAt(value, at);
    if (holdsVar(found)) continue;
    // A var may decide which branch applies, or be a key once filled in.
    if (BRANCHING.has(error.keyword) && containsVar(found)) continue;
    if (error.keyword === 'additionalProperties' && holdsVar(String(error.params.additionalProperty))) continue;
    problems.push(problemFor(error, path, at, part));
  }
  return problems;
}

function problemFor(error: ErrorObject, partPath: PathSegment[], at: PathSegment[], part: Part): Problem {
  const path = [...partPath, ...at];
  const refused = `; weir refuses it ${part.when}`;
  if (error.keyword === 'additionalProperties') {
    const field = String(error.params.additionalProperty);
    const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
    const guess = suggest(field, known);
    const hint = guess !== undefined ? `did you mean "${guess}"?` : known.length > 0 ? `type ${part.type} takes: ${known.join(', ')}` : `type ${part.type} takes no fields here`;
    return { ...warning(part.code, [...path, field], `${part.owner} has a field "${field}" that type ${part.type} does not take${refused}`, hint), at: 'key' };
  }
  const where = at.length > 0 ? `"${String(at[at.length - 1])}" in ${part.owner}` : part.owner;
  return warning(part.code, path, `${where} ${schemaErrorText(error)}${refused}`, `see the description of the field in type ${part.type}'s schema (schemas/resource-types/)`);
}

function holdsVar(value: unknown): boolean {
  return typeof value === 'string' && value.includes('((');
}

/** Whether a ((var)) is anywhere in `value`, in a key or a value. */
function containsVar(value: unknown): boolean {
  if (typeof value === 'string') return holdsVar(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, child]) => holdsVar(key) || containsVar(child));
}
