// Regenerates the committed JSON Schema files from the TypeBox definitions and the built-in
// resource types' source schemas. Run through `pnpm schemas`; a test fails when the files fall behind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { implementedResourceTypes } from '@weir/resources';
import { publishedSchemas, serializeJsonSchema } from '../src/config/schema/index.js';

const schemasDirectory = new URL('../../../schemas/', import.meta.url);

for (const [fileName, document] of Object.entries(publishedSchemas(implementedResourceTypes()))) {
  const target = new URL(fileName, schemasDirectory);
  mkdirSync(new URL('.', target), { recursive: true });
  writeFileSync(target, serializeJsonSchema(document));
  console.log(`wrote ${target.pathname}`);
}
