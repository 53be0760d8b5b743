// Turns the TypeBox definitions into standalone draft-07 JSON Schema documents:
// one for ajv at runtime, the same one for editors through yaml-language-server.

export type JsonSchema = { [keyword: string]: unknown };

export interface JsonSchemaDocument extends JsonSchema {
  $schema: string;
  title: string;
  description: string;
  definitions?: Record<string, JsonSchema>;
}

export interface DocumentInfo {
  title: string;
  /** Defaults to the description of the root definition. */
  description?: string;
}

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/**
 * Marks a union whose members are told apart by which key an object carries,
 * mapping each key to the definition that describes such objects.
 */
export const KIND_KEYS_MARKER = 'x-kind-keys';

// Where subschemas can sit, so that property names and literal data (`enum`,
// `required`, `default`...) are never mistaken for schemas while rewriting.
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
]);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependencies', 'definitions']);

/**
 * Builds the document for `root` out of `definitions` (a TypeBox module's
 * `$defs`): the root schema sits at the top level, every other definition it
 * reaches goes under `definitions`, named references become JSON pointers, and
 * TypeBox's `$id`s and symbol-keyed metadata are left out. Pure: the input is
 * not modified and the same input always gives the same output.
 */
export function emitJsonSchema(
  definitions: Readonly<Record<string, unknown>>,
  root: string,
  info: DocumentInfo,
): JsonSchemaDocument {
  // A JSON round trip drops TypeBox's symbol keys and detaches us from its objects.
  const plain = JSON.parse(JSON.stringify(definitions)) as Record<string, unknown>;
  const converted = new Map<string, JsonSchema>();
  for (const [name, schema] of Object.entries(plain)) {
    converted.set(name, asObjectSchema(convertSchema(schema), name));
  }

  const rootSchema = converted.get(root);
  if (rootSchema === undefined) {
    throw new Error(`no definition named "${root}"`);
  }

  const reachable = reachableDefinitions(root, converted);
  const referencedByName = new Set(reachable.flatMap((name) => referencesIn(converted.get(name))));
  const includedNames = reachable.filter((name) => name !== root || referencedByName.has(root)).sort();

  const { description: rootDescription, ...rootBody } = rootSchema;
  const document: JsonSchemaDocument = {
    $schema: DRAFT_07,
    title: info.title,
    description: info.description ?? String(rootDescription ?? ''),
    ...rootBody,
  };
  if (includedNames.length > 0) {
    document.definitions = Object.fromEntries(includedNames.map((name) => [name, converted.get(name) as JsonSchema]));
  }
  return document;
}

/** The committed form of a document: two-space indentation and a final newline. */
export function serializeJsonSchema(document: JsonSchemaDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function definitionPointer(name: string): string {
  return name.startsWith('#') ? name : `#/definitions/${name}`;
}

function asObjectSchema(schema: unknown, name: string): JsonSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`definition "${name}" is not an object schema`);
  }
  return schema as JsonSchema;
}

function convertSchema(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) {
    return schema;
  }
  const node = schema as JsonSchema;
  if (KIND_KEYS_MARKER in node) {
    return kindDispatch(node);
  }
  const converted: JsonSchema = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword !== '$id') {
      converted[keyword] = convertKeyword(keyword, value);
    }
  }
  return converted;
}

function convertKeyword(keyword: string, value: unknown): unknown {
  if (keyword === '$ref' && typeof value === 'string') {
    return definitionPointer(value);
  }
  if (SCHEMA_KEYWORDS.has(keyword)) {
    return Array.isArray(value) ? value.map(convertSchema) : convertSchema(value);
  }
  if (SCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
    return value.map(convertSchema);
  }
  if (SCHEMA_MAP_KEYWORDS.has(keyword) && typeof value === 'object' && value !== null) {
    // A `dependencies` entry may be a list of property names rather than a schema.
    return Object.fromEntries(
      Object.entries(value).map(([name, entry]) => [name, Array.isArray(entry) ? entry : convertSchema(entry)]),
    );
  }
  return value;
}

/**
 * Rewrites a keyed union (`anyOf` of references plus the kind-keys marker).
 * A plain `anyOf` would make ajv report every member's complaints about a step
 * that plainly meant one kind. Instead each kind key pulls in its own
 * definition through `dependencies`, so only the kind actually written is
 * checked and a misspelt field yields exactly one error. (`if`/`then` selects
 * the same way, but ajv adds an `if` error on top of every failure inside
 * `then`.) An object carrying no kind key passes here; the semantic rules
 * report it with a better message than a schema could.
 */
function kindDispatch(union: JsonSchema): JsonSchema {
  const kinds = union[KIND_KEYS_MARKER] as Record<string, string>;
  const members = Array.isArray(union.anyOf) ? (union.anyOf as JsonSchema[]) : [];
  const memberNames = members.map((member) => member.$ref);
  const kindNames = Object.values(kinds);
  const unlisted = memberNames.filter((name) => typeof name !== 'string' || !kindNames.includes(name));
  const missing = kindNames.filter((name) => !memberNames.includes(name));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(
      `${KIND_KEYS_MARKER} and the union members disagree (not keyed: ${unlisted.join(', ') || 'none'}; not members: ${missing.join(', ') || 'none'})`,
    );
  }

  const dispatch: JsonSchema = { type: 'object' };
  if (union.description !== undefined) {
    dispatch.description = union.description;
  }
  dispatch.dependencies = Object.fromEntries(
    Object.entries(kinds).map(([key, name]) => [key, { $ref: definitionPointer(name) }]),
  );
  return dispatch;
}

function reachableDefinitions(root: string, definitions: ReadonlyMap<string, JsonSchema>): string[] {
  const seen = new Set<string>([root]);
  const pending = [root];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const target of referencesIn(definitions.get(name))) {
      if (!definitions.has(target)) {
        throw new Error(`definition "${name}" refers to unknown definition "${target}"`);
      }
      if (!seen.has(target)) {
        seen.add(target);
        pending.push(target);
      }
    }
  }
  return [...seen];
}

/** Names of the definitions a converted schema points at. */
function referencesIn(schema: unknown): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) {
      return;
    }
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
        names.push(value.slice('#/definitions/'.length));
      } else if (SCHEMA_KEYWORDS.has(keyword) || SCHEMA_LIST_KEYWORDS.has(keyword)) {
        (Array.isArray(value) ? value : [value]).forEach(visit);
      } else if (SCHEMA_MAP_KEYWORDS.has(keyword) && typeof value === 'object' && value !== null) {
        Object.values(value).filter((entry) => !Array.isArray(entry)).forEach(visit);
      }
    }
  };
  visit(schema);
  return names;
}
