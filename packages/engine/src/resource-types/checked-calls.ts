import type { AnyResourceType, JsonSchema, Versioned } from '@weir/resources';
import { Ajv, type ValidateFunction } from 'ajv';
import { WeirError } from '../errors.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Checks a resource's `source` against its type's schema before any call, so a typo in a
 * pipeline is an error that names the field rather than a failure deep inside the type.
 */
export function validateSource(type: AnyResourceType, source: unknown, location: string): void {
  const validate = validatorFor(type.sourceSchema);
  if (validate(source)) return;
  const details = (validate.errors ?? []).map((error) => {
    const at = `source${error.instancePath.replace(/\//g, '.')}`;
    if (error.keyword === 'additionalProperties') return `${at} has an unknown field ${String(error.params.additionalProperty)}`;
    return `${at} ${error.message ?? 'is invalid'}`;
  });
  throw new WeirError('resource-source-invalid', `the source of ${location} is not valid for type ${type.name}: ${details.join('; ')}`, {
    location,
    hint: `fix the resource's source in the pipeline; the fields of ${type.name} are in schemas/ and the docs`,
  });
}

/**
 * What a resource type returned must be versions as Concourse shapes them: flat maps of
 * strings with optional name/value metadata. Anything else is the type's bug, named as such.
 */
export function validateVersions(type: AnyResourceType, value: unknown, call: 'check' | 'get' | 'put'): Versioned[] {
  const list = call === 'check' ? value : [value];
  if (!Array.isArray(list)) throw adapterBug(type, call, `returned ${describe(value)} instead of a list of versions`);
  list.forEach((item, index) => {
    const at = call === 'check' ? `versions[${index}]` : 'the result';
    if (typeof item !== 'object' || item === null) throw adapterBug(type, call, `${at} is ${describe(item)}, not {version, metadata}`);
    const { version, metadata } = item as Record<string, unknown>;
    if (typeof version !== 'object' || version === null || Array.isArray(version)) {
      throw adapterBug(type, call, `${at}.version is ${describe(version)}, not a map of strings`);
    }
    for (const [key, field] of Object.entries(version)) {
      if (typeof field !== 'string') throw adapterBug(type, call, `${at}.version.${key} is ${describe(field)}, not a string`);
    }
    if (metadata === undefined) return;
    if (!Array.isArray(metadata)) throw adapterBug(type, call, `${at}.metadata is ${describe(metadata)}, not a list`);
    metadata.forEach((field, i) => {
      const entry = field as Record<string, unknown> | null;
      if (typeof entry !== 'object' || entry === null || typeof entry.name !== 'string' || typeof entry.value !== 'string') {
        throw adapterBug(type, call, `${at}.metadata[${i}] is not {name: string, value: string}`);
      }
    });
  });
  return list as Versioned[];
}

function adapterBug(type: AnyResourceType, call: string, what: string): WeirError {
  return new WeirError('resource-type-bad-output', `resource type ${type.name}: ${call} ${what}`, {
    location: type.name,
    hint: `this is a bug in the ${type.name} resource type; report it with the resource's config`,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
