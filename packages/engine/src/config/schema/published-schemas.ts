import type { JsonSchema, JsonSchemaDocument } from './emit.js';
import { pipelineJsonSchema, taskJsonSchema } from './index.js';

/** What the published schemas need of a resource type. */
export interface PublishedResourceType {
  name: string;
  aliases?: readonly string[];
  description: string;
  sourceSchema: JsonSchema;
}

/**
 * The schema files in `schemas/`, by path: the pipeline and task schemas, and one `source`
 * schema per built-in resource type, which the pipeline schema references by the resource's
 * `type` so an editor completes `source:` per type. Only editors use those references: the
 * engine validates pipelines with `pipelineJsonSchema`, because a Concourse pipeline may carry
 * source fields weir's types do not know, and checks a source against its type when it runs.
 */
export function publishedSchemas(types: readonly PublishedResourceType[]): Record<string, JsonSchemaDocument> {
  const files: Record<string, JsonSchemaDocument> = {};
  const bySource: JsonSchema[] = [];
  for (const type of [...types].sort((a, b) => a.name.localeCompare(b.name))) {
    const file = `resource-types/${type.name}.schema.json`;
    files[file] = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `source of a ${type.name} resource`,
      ...type.sourceSchema,
      description: type.description,
    } as JsonSchemaDocument;
    for (const name of [type.name, ...(type.aliases ?? [])]) {
      bySource.push({
        if: { properties: { type: { const: name, description: `The built-in ${type.name} type.` } }, required: ['type'] },
        then: { properties: { source: { $ref: file, description: `Source of a ${type.name} resource: ${type.description}` } } },
      });
    }
  }
  const definitions = pipelineJsonSchema.definitions as Record<string, JsonSchema>;
  const resource = definitions.Resource!;
  files['pipeline.schema.json'] = {
    ...pipelineJsonSchema,
    definitions: { ...definitions, Resource: { ...resource, allOf: bySource } },
  };
  files['task.schema.json'] = taskJsonSchema;
  return files;
}
