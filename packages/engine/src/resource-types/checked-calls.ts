import type { AnyResourceType, JsonSchema, Versioned } from '@weir/resources';
import { schemaErrorText, typeSchemaValidator, withoutNulls } from '../config/type-schemas.js';
import { WeirError } from '../errors.js';

/** One part of a resource's config that its type's schema checks, and how to report it. */
interface CheckedPart {
  /** The key as the pipeline spells it, so errors point at what the user wrote. */
  field: 'source' | 'params' | 'get_params';
  code: string;
  /** The message up to the details, e.g. `the source of resource app is not valid for type git`. */
  summary: string;
  location: string;
  hint: string;
}

/**
 * Every check of config against a type's schema goes through here, so source and params errors
 * read alike. Without a schema the type takes anything.
 */
function checkAgainst(schema: JsonSchema | undefined, value: unknown, part: CheckedPart, mode: 'exact' | 'coercing' = 'exact'): void {
  if (schema === undefined) return;
  const validate = typeSchemaValidator(schema, mode);
  if (validate(value)) return;
  const details = (validate.errors ?? []).map((error) => `${part.field}${error.instancePath.replace(/\//g, '.')} ${schemaErrorText(error)}`);
  throw new WeirError(part.code, `${part.summary}: ${details.join('; ')}`, { location: part.location, hint: part.hint });
}

/**
 * Checks a resource's `source` against its type's schema before any call, so a typo in a
 * pipeline is an error that names the field rather than a failure deep inside the type.
 */
export function validateSource(type: AnyResourceType, source: unknown, location: string): void {
  checkAgainst(type.sourceSchema, source, {
    field: 'source',
    code: 'resource-source-invalid',
    summary: `the source of ${location} is not valid for type ${type.name}`,
    location,
    hint: `fix the resource's source in the pipeline; the fields of ${type.name} are in schemas/ and the docs`,
  });
}

/** Where params come from: the step as the build names it, and the resource it uses. */
export interface ParamsSite {
  /** `get app`, `put app`: for a put's implicit get, the put, since that is what the user wrote. */
  step: string;
  resource: string;
  /** `get_params` for the get that follows a put. */
  field: 'params' | 'get_params';
}

/**
 * Checks the params a get or put is about to hand its type (after ((vars)) are filled in), so
 * a misspelt or mistyped param errors the step instead of being ignored or misread. Returns
 * them as the type should receive them: a copy with text turned into the booleans and numbers
 * the schema asks for.
 */
export function validateParams<P>(type: AnyResourceType, call: 'get' | 'put', params: P, site: ParamsSite): P {
  const schema = call === 'get' ? type.getParamsSchema : type.putParamsSchema;
  if (schema === undefined) return params;
  const known = Object.keys((schema.properties as object | undefined) ?? {});
  const coerced = withoutNulls(structuredClone(params));
  checkAgainst(schema, coerced, {
    field: site.field,
    code: `${call}-params-invalid`,
    summary: `the ${site.field} of ${site.step} are not valid for resource ${site.resource} of type ${type.name}`,
    location: site.step,
    hint:
      `fix ${site.field} of ${site.step} in the pipeline; ` +
      (known.length > 0 ? `${type.name} takes these ${call} params: ${known.join(', ')}` : `${type.name} takes no ${call} params, so remove them`),
  }, 'coercing');
  return coerced;
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
