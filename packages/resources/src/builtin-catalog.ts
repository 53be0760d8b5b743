import type { JsonSchema } from './interface.js';
import { cronGetParamsSchema, cronSourceSchema } from './cron/source-schema.js';
import { delayGetParamsSchema, delayPutParamsSchema, delaySourceSchema } from './delay/source-schema.js';
import { gitGetParamsSchema, gitPutParamsSchema, gitSourceSchema } from './git/source-schema.js';
import { gitBranchesGetParamsSchema, gitBranchesSourceSchema } from './git-branches/source-schema.js';
import { githubPrGetParamsSchema, githubPrPutParamsSchema, githubPrSourceSchema } from './github-pr/source-schema.js';
import { kubernetesGetParamsSchema, kubernetesPutParamsSchema, kubernetesSourceSchema } from './kubernetes/source-schema.js';
import { mockGetParamsSchema, mockPutParamsSchema, mockSourceSchema } from './mock/source-schema.js';
import { notificationGetParamsSchema, notificationPutParamsSchema, notificationSourceSchema } from './notification/source-schema.js';
import { registryImageGetParamsSchema, registryImagePutParamsSchema, registryImageSourceSchema } from './registry-image/source-schema.js';
import { timeGetParamsSchema, timePutParamsSchema, timeSourceSchema } from './time/source-schema.js';
import { volumeSnapshotGetParamsSchema, volumeSnapshotPutParamsSchema, volumeSnapshotSourceSchema } from './volume-snapshot/source-schema.js';

// `@weir/resources/catalog`: what the validator knows of the built-in types, their names and
// schemas, without loading any type's code (git, Octokit, the Kubernetes client...), which
// would slow every `weir validate` start. builtin-schemas.test.ts holds it to the types.

/** What a type accepts: the same objects as its `sourceSchema`, `getParamsSchema` and `putParamsSchema`. */
export interface BuiltinTypeSchemas {
  source?: JsonSchema;
  getParams?: JsonSchema;
  putParams?: JsonSchema;
}

/**
 * The resource types weir ships, by the name pipelines use in `type:`. Each gets its own folder
 * here with its source schema and check/get/put.
 */
export const BUILTIN_RESOURCE_TYPES: ReadonlyArray<{ name: string; aliases: readonly string[]; schemas: BuiltinTypeSchemas }> = [
  { name: 'git', aliases: [], schemas: { source: gitSourceSchema, getParams: gitGetParamsSchema, putParams: gitPutParamsSchema } },
  { name: 'git-branches', aliases: [], schemas: { source: gitBranchesSourceSchema, getParams: gitBranchesGetParamsSchema } },
  { name: 'registry-image', aliases: [], schemas: { source: registryImageSourceSchema, getParams: registryImageGetParamsSchema, putParams: registryImagePutParamsSchema } },
  { name: 'github-pr', aliases: ['pull-request'], schemas: { source: githubPrSourceSchema, getParams: githubPrGetParamsSchema, putParams: githubPrPutParamsSchema } },
  { name: 'time', aliases: [], schemas: { source: timeSourceSchema, getParams: timeGetParamsSchema, putParams: timePutParamsSchema } },
  { name: 'cron', aliases: [], schemas: { source: cronSourceSchema, getParams: cronGetParamsSchema } },
  { name: 'volume-snapshot', aliases: [], schemas: { source: volumeSnapshotSourceSchema, getParams: volumeSnapshotGetParamsSchema, putParams: volumeSnapshotPutParamsSchema } },
  { name: 'kubernetes', aliases: [], schemas: { source: kubernetesSourceSchema, getParams: kubernetesGetParamsSchema, putParams: kubernetesPutParamsSchema } },
  { name: 'delay', aliases: [], schemas: { source: delaySourceSchema, getParams: delayGetParamsSchema, putParams: delayPutParamsSchema } },
  { name: 'notification', aliases: [], schemas: { source: notificationSourceSchema, getParams: notificationGetParamsSchema, putParams: notificationPutParamsSchema } },
  { name: 'mock', aliases: [], schemas: { source: mockSourceSchema, getParams: mockGetParamsSchema, putParams: mockPutParamsSchema } },
];

/** Every name (and alias) a pipeline may use for a built-in type. */
export function builtinResourceTypeNames(): Set<string> {
  return new Set(BUILTIN_RESOURCE_TYPES.flatMap((t) => [t.name, ...t.aliases]));
}

/** The validator's view of the built-in types: their names, and their schemas by name and alias. */
export function builtinResourceTypeCatalog(): { builtin: Set<string>; schemas: Map<string, BuiltinTypeSchemas> } {
  const schemas = new Map(BUILTIN_RESOURCE_TYPES.flatMap((t) => [t.name, ...t.aliases].map((name) => [name, t.schemas] as const)));
  return { builtin: builtinResourceTypeNames(), schemas };
}
