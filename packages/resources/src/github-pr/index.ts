import type { ResourceType } from '../interface.js';
import { checkPullRequests } from './check.js';
import { getPullRequest, type GithubPrGetParams } from './get.js';
import { putPullRequest, type GithubPrPutParams } from './put.js';
import { githubPrGetParamsSchema, githubPrPutParamsSchema, githubPrSourceSchema } from './source-schema.js';
import { compileSource, type GithubPrSource, type PrVersion } from './source.js';

export type { GithubPrSource, PrVersion, GithubPrGetParams, GithubPrPutParams };

export const githubPrResourceType: ResourceType<GithubPrSource, PrVersion, GithubPrGetParams, GithubPrPutParams> = {
  name: 'github-pr',
  aliases: ['pull-request'],
  description: 'Pull requests of a GitHub repository: a version per new head commit (and one when a PR is reopened) and one when a PR is merged or closed; statuses and comments on put.',
  sourceSchema: githubPrSourceSchema,
  getParamsSchema: githubPrGetParamsSchema,
  putParamsSchema: githubPrPutParamsSchema,
  check: (ctx, source, from) => checkPullRequests(ctx, compileSource(source), from),
  get: (ctx, source, version, params, dir) => getPullRequest(ctx, compileSource(source), version, params, dir),
  put: (ctx, source, params, workdir) => putPullRequest(ctx, compileSource(source), params, workdir),
};
