import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/interface.js';
import { registryImageResourceType } from '../../src/registry-image/index.js';

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

describe('registry-image schemas', () => {
  it.each([
    ['source', registryImageResourceType.sourceSchema],
    ['get params', registryImageResourceType.getParamsSchema as JsonSchema],
    ['put params', registryImageResourceType.putParamsSchema as JsonSchema],
  ])('%s: closed objects, every property described', (_name, schema) => {
    expect(problems(schema, '')).toEqual([]);
  });

  it('names the Concourse fields it supports', () => {
    expect(Object.keys(registryImageResourceType.sourceSchema.properties as object).sort()).toEqual(
      ['ca_certs', 'debug', 'insecure', 'password', 'platform', 'pre_releases', 'repository', 'semver_constraint', 'tag', 'tag_regex', 'username', 'variant'].sort(),
    );
  });
});
