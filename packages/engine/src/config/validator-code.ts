import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { VALIDATOR_OPTIONS, validatorKey, type ValidatorKind } from './compiled-validators.js';
import { pipelineJsonSchema, taskJsonSchema } from './schema/index.js';

// A CommonJS module whose module.exports is the function, which its types call the default export.
const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js').default;

/** The code that replaces ahead-of-time-validators.ts in a build: one module per kind of validator, and the list that names them. */
export interface CompiledValidatorsCode {
  /** The replacement module; it imports each kind's module as `<prefix><kind>`. */
  index: string;
  /** ES modules of standalone ajv code, each exporting weirSchema0, weirSchema1, ... */
  modules: Map<ValidatorKind, string>;
}

/** The schemas whole pipeline and task files are checked against. */
export const documentSchemas: ReadonlyArray<{ kind: ValidatorKind; schema: object }> = [
  { kind: 'document', schema: pipelineJsonSchema },
  { kind: 'document', schema: taskJsonSchema },
];

/** Compiles the given schemas now, as `compiledValidator` would find them at run time. */
export function compiledValidatorsCode(schemas: ReadonlyArray<{ kind: ValidatorKind; schema: object }>, prefix: string): CompiledValidatorsCode {
  const byKind = new Map<ValidatorKind, { ajv: Ajv; entries: Array<[name: string, key: string]> }>();
  const seen = new Set<string>();
  for (const { kind, schema } of schemas) {
    const key = validatorKey(kind, schema);
    if (seen.has(key)) continue;
    seen.add(key);
    let group = byKind.get(kind);
    if (!group) {
      group = { ajv: new Ajv({ ...VALIDATOR_OPTIONS[kind], code: { source: true, esm: true } }), entries: [] };
      byKind.set(kind, group);
    }
    const name = `weirSchema${group.entries.length}`;
    group.ajv.addSchema(schema, name);
    group.entries.push([name, key]);
  }
  const modules = new Map<ValidatorKind, string>();
  const imports: string[] = [];
  const pairs: string[] = [];
  for (const [kind, { ajv, entries }] of byKind) {
    modules.set(kind, standaloneCode(ajv, Object.fromEntries(entries.map(([name]) => [name, name]))));
    imports.push(`import * as ${kind} from ${JSON.stringify(`${prefix}${kind}`)};`);
    for (const [name, key] of entries) pairs.push(`[${JSON.stringify(key)}, ${kind}.${name}]`);
  }
  return { index: `${imports.join('\n')}\nexport const aheadOfTimeValidators = [\n  ${pairs.join(',\n  ')},\n];\n`, modules };
}
