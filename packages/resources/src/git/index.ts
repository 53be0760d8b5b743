import type { ResourceType } from '../interface.js';
import { checkGit } from './check.js';
import { getGit } from './get.js';
import type { GitGetParams } from './get-params.js';
import { putGit } from './put.js';
import type { GitPutParams } from './put-params.js';
import type { GitSource, GitVersion } from './source.js';
import { gitGetParamsSchema, gitPutParamsSchema, gitSourceSchema } from './source-schema.js';

export type { GitSource, GitVersion, GitGetParams, GitPutParams };

export const gitResourceType: ResourceType<GitSource, GitVersion, GitGetParams, GitPutParams> = {
  name: 'git',
  description: 'Commits (or tags) of a git repository: check finds new ones, get checks one out, put pushes commits and tags.',
  sourceSchema: gitSourceSchema,
  getParamsSchema: gitGetParamsSchema,
  putParamsSchema: gitPutParamsSchema,
  check: checkGit,
  // The engine does not validate params against the schemas, so get and put read them defensively.
  get: (ctx, source, version, params, dir) => getGit(ctx, source, version, params as Record<string, unknown>, dir),
  put: (ctx, source, params, workdir) => putGit(ctx, source, params as unknown as Record<string, unknown>, workdir),
};
