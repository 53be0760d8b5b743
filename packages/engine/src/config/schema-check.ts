import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { compiledValidator, VALIDATOR_OPTIONS } from './compiled-validators.js';
import { error, type PathSegment, type Problem } from './problem.js';
import { isWholeVarReference } from './vars.js';
import { pointerPath, valueAt } from './json-pointer.js';
import { suggest } from './suggest.js';

type JsonSchema = Record<string, unknown>;

/**
 * Validates a value against one of weir's JSON schemas and turns ajv's errors into problems a
 * user can act on: one problem per mistake, located by path, with the allowed keys or values.
 */
export class SchemaChecker {
  private ajv: Ajv | undefined;
  private readonly validate: ValidateFunction;
  private readonly branchValidators = new WeakMap<object, ValidateFunction>();
  private readonly definitions: Record<string, unknown>;

  /**
   * @param subject what the document is ("pipeline"), for messages
   * @param describeMapping names a mapping for messages ("get step"), when the caller can tell
   */
  constructor(
    schema: JsonSchema,
    private readonly subject: string,
    private readonly describeMapping: (value: unknown) => string | undefined = () => undefined,
  ) {
    this.definitions = (schema.definitions as Record<string, unknown> | undefined) ?? {};
    this.validate = compiledValidator('document', schema) ?? this.compiler().compile(schema);
  }

  /** Made at first need: with a validator compiled ahead of time, only a failed union needs one. */
  private compiler(): Ajv {
    this.ajv ??= new Ajv(VALIDATOR_OPTIONS.document);
    return this.ajv;
  }

  check(value: unknown): Problem[] {
    if (this.validate(value)) return [];
    return this.translate(this.validate.errors ?? [], value, []);
  }

  private translate(errors: readonly ErrorObject[], root: unknown, prefix: PathSegment[]): Problem[] {
    const problems: Problem[] = [];
    const replacedPrefixes: string[] = [];
    const unionErrors = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    for (const union of unionErrors) {
      if (replacedPrefixes.some((p) => union.instancePath.startsWith(p))) continue;
      const path = pointerPath(root, union.instancePath);
      const data = valueAt(root, path);
      if (isWholeVarReference(data)) continue;
      replacedPrefixes.push(union.instancePath);
      problems.push(...this.explainUnion(union, data, [...prefix, ...path]));
    }
    for (const e of errors) {
      if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
      if (replacedPrefixes.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
      const path = pointerPath(root, e.instancePath);
      if (isWholeVarReference(valueAt(root, path))) continue;
      problems.push(this.explain(e, [...prefix, ...path]));
    }
    return dedupe(problems);
  }

  /**
   * ajv reports every branch of a failed union. The user meant one of them: the branch whose JSON
   * type matches what they wrote. Re-check against that branch alone for precise errors; if no
   * branch has that type, say which shapes are accepted.
   */
  private explainUnion(union: ErrorObject, data: unknown, path: PathSegment[]): Problem[] {
    const branches = (union.schema as JsonSchema[]).map((b) => ({ raw: b, resolved: this.resolve(b) }));
    const matching = branches.filter((b) => typeAccepts(b.resolved, data) && !isLiteral(b.resolved));
    if (matching.length === 1) {
      const branch = (matching[0] as { raw: JsonSchema }).raw;
      const validate = this.branchValidator(branch);
      if (!validate(data)) return this.translate(validate.errors ?? [], data, path);
      return [];
    }
    const accepted = branches.map((b) => describeShape(b.resolved)).join(', or ');
    return [error('schema-type', path, `must be ${accepted}; got ${describeValue(data)}`)];
  }

  private branchValidator(branch: JsonSchema): ValidateFunction {
    let validate = this.branchValidators.get(branch);
    if (!validate) {
      validate = this.compiler().compile({ ...branch, definitions: this.definitions });
      this.branchValidators.set(branch, validate);
    }
    return validate;
  }

  private resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
      return (this.definitions[ref.slice('#/definitions/'.length)] as JsonSchema | undefined) ?? schema;
    }
    return schema;
  }

  private explain(e: ErrorObject, path: PathSegment[]): Problem {
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys(((e.parentSchema as JsonSchema | undefined)?.properties as object | undefined) ?? {});
        const guess = suggest(key, allowed);
        const hint = guess
          ? `did you mean "${guess}"? (allowed keys: ${allowed.join(', ')})`
          : `allowed keys here: ${allowed.join(', ')}`;
        return { ...error('unknown-key', [...path, key], `unknown key "${key}" in ${this.place(path, e.data)}`, hint), at: 'key' };
      }
      case 'required': {
        const key = String((e.params as { missingProperty: string }).missingProperty);
        return error('missing-key', path, `${this.place(path, e.data)} needs the key "${key}"`, describeProperty(e.parentSchema as JsonSchema, key));
      }
      case 'type':
        return error('schema-type', path, `must be ${describeShape(e.parentSchema as JsonSchema)}; got ${describeValue(e.data)}`);
      case 'enum':
      case 'const':
        return error('schema-value', path, `must be ${describeShape(e.parentSchema as JsonSchema)}; got ${describeValue(e.data)}`);
      case 'minItems':
        return error('schema-too-few', path, `needs at least ${(e.params as { limit: number }).limit} item(s)`);
      case 'minimum':
      case 'exclusiveMinimum':
        return error('schema-too-small', path, `must be ${e.keyword === 'minimum' ? 'at least' : 'more than'} ${(e.params as { limit: number }).limit}; got ${describeValue(e.data)}`);
      default:
        return error(`schema-${e.keyword.toLowerCase()}`, path, e.message ?? `fails the ${e.keyword} rule of the ${this.subject} schema`);
    }
  }

  private place(path: PathSegment[], data: unknown): string {
    if (path.length === 0) return `the ${this.subject}`;
    const named = this.describeMapping(data);
    return named ? `this ${named}` : 'this mapping';
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeAccepts(schema: JsonSchema, value: unknown): boolean {
  const actual = jsonType(value);
  const declared = schema.type;
  const types = Array.isArray(declared) ? declared : declared === undefined ? [] : [declared];
  if (types.length === 0) {
    if ('const' in schema) return jsonType(schema.const) === actual;
    return 'allOf' in schema ? actual === 'object' : true;
  }
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function isLiteral(schema: JsonSchema): boolean {
  return 'const' in schema || 'enum' in schema;
}

/** "a boolean", "one of "latest", "every"", "a list", ... from a schema. */
export function describeShape(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(describeShape).join(' or ');
  const type = schema.type;
  const names: Record<string, string> = {
    string: 'a string',
    boolean: 'a boolean (true or false)',
    integer: 'a whole number',
    number: 'a number',
    object: 'a mapping',
    array: 'a list',
    null: 'empty',
  };
  if (Array.isArray(type)) return type.map((t) => names[String(t)] ?? String(t)).join(' or ');
  if (typeof type === 'string') return names[type] ?? type;
  if (schema.allOf) return 'a mapping';
  return 'a valid value';
}

export function describeValue(value: unknown): string {
  switch (jsonType(value)) {
    case 'null':
      return 'nothing (null)';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'string': {
      const s = value as string;
      return `the string ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)}`;
    }
    default:
      return `${jsonType(value)} ${String(value)}`;
  }
}

function describeProperty(parent: JsonSchema | undefined, key: string): string | undefined {
  const props = parent?.properties as Record<string, JsonSchema> | undefined;
  const description = props?.[key]?.description;
  return typeof description === 'string' ? `${key}: ${description}` : undefined;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.code}|${p.path.join('/')}|${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
