// Regenerates the committed JSON Schema files from the TypeBox definitions.
// Run through `pnpm schemas`; a test fails when the files fall behind.
import { writeFileSync } from 'node:fs';
import { pipelineJsonSchema, serializeJsonSchema, taskJsonSchema } from '../src/config/schema/index.js';

const schemasDirectory = new URL('../../../schemas/', import.meta.url);

const documents = {
  'pipeline.schema.json': pipelineJsonSchema,
  'task.schema.json': taskJsonSchema,
};

for (const [fileName, document] of Object.entries(documents)) {
  const target = new URL(fileName, schemasDirectory);
  writeFileSync(target, serializeJsonSchema(document));
  console.log(`wrote ${target.pathname}`);
}
