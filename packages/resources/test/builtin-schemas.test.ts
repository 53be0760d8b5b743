import { describe, expect, it } from 'vitest';
import { builtinResourceTypeCatalog } from '../src/builtin-catalog.js';
import { implementedResourceTypes } from '../src/builtin-types.js';
import type { JsonSchema } from '../src/interface.js';

/** Paths of object schemas that accept unknown keys, and of properties without a description. */
function problems(schema: JsonSchema, path: string): string[] {
  const found: string[] = [];
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties !== undefined) {
    if (schema.additionalProperties !== false) found.push(`${path}: additionalProperties is not false`);
    for (const [name, property] of Object.entries(properties)) {
      if (typeof property.description !== 'string' || property.description === '') found.push(`${path}.${name}: no description`);
      found.push(...problems(property, `${path}.${name}`));
    }
  }
  if (schema.items !== undefined) found.push(...problems(schema.items as JsonSchema, `${path}[]`));
  return found;
}

// Editors show these descriptions on hover, and a typo in a field must be an error naming it.
describe('every built-in type\'s schemas', () => {
  const cases = implementedResourceTypes().flatMap((type) =>
    (
      [
        ['source', type.sourceSchema],
        ['get params', type.getParamsSchema],
        ['put params', type.putParamsSchema],
      ] as const
    ).flatMap(([part, schema]) => (schema ? [[`${type.name} ${part}`, schema] as const] : [])),
  );
  it.each(cases)('%s: closed objects, every property described', (_name, schema) => {
    expect(problems(schema, '')).toEqual([]);
  });
});

// The validator reads the catalog without loading the types; it must say what the types do.
describe('the built-in catalog', () => {
  it('names every implemented type with its aliases and the very schemas it checks with', () => {
    const { builtin, schemas } = builtinResourceTypeCatalog();
    const types = implementedResourceTypes();
    expect([...builtin].sort()).toEqual(types.flatMap((type) => [type.name, ...(type.aliases ?? [])]).sort());
    for (const type of types) {
      for (const name of [type.name, ...(type.aliases ?? [])]) {
        const entry = schemas.get(name);
        expect(entry?.source, `${name} source`).toBe(type.sourceSchema);
        expect(entry?.getParams, `${name} get params`).toBe(type.getParamsSchema);
        expect(entry?.putParams, `${name} put params`).toBe(type.putParamsSchema);
      }
    }
  });
});
