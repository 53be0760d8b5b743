import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WeirError } from '../../errors.js';
import { JSON_TYPE } from '../answer-cache.js';
import type { ApiContext } from '../api-context.js';
import { buildLabels } from '../build-labels.js';
import { findBuild } from '../lookups.js';
import { BuildParams, limit, strictQuery } from '../route-schemas.js';
import { buildJson, versionJson } from '../views.js';

const RecentQuery = strictQuery({ limit: limit(50, 1000) });

export function registerBuildRoutes(app: FastifyInstance, { engine, answers }: ApiContext): void {
  const route = { schema: { params: BuildParams } };

  app.get<{ Querystring: Static<typeof RecentQuery> }>('/builds', { schema: { querystring: RecentQuery } }, async (request, reply) => {
    const answer = answers.json(`builds ${request.query.limit}`, () => {
      const builds = engine.store.builds.listRecent(request.query.limit);
      const labels = buildLabels(engine.store, builds);
      return builds.map((build) => buildJson(build, labels));
    });
    return reply.type(JSON_TYPE).send(answer);
  });

  app.get<{ Params: BuildParams }>('/builds/:id', route, async (request) => buildJson(findBuild(engine, request.params.id), buildLabels(engine.store)));

  app.get<{ Params: BuildParams }>('/builds/:id/plan', route, async (request) => {
    const build = findBuild(engine, request.params.id);
    const plan = engine.store.builds.plan(build.id);
    if (plan === undefined) {
      throw new WeirError('build-has-no-plan', `build ${build.id} has no plan yet: it is ${build.status}`, {
        hint: 'a build gets its plan when it starts; ask again once it has',
      });
    }
    // Secrets are in it only as ((references)): they are interpolated when a step runs.
    return plan;
  });

  app.get<{ Params: BuildParams }>('/builds/:id/resources', route, async (request) => {
    const build = findBuild(engine, request.params.id);
    const { resources } = engine.store;
    const describe = (resourceId: number, versionId: number) => ({
      resource: resources.byId(resourceId)?.name ?? null,
      ...versionJson(resources.version(versionId)!, engine.store.apiViews.isVersionEnabled(resourceId, versionId)),
    });
    return {
      inputs: engine.store.builds.inputs(build.id).map((input) => ({ name: input.name, ...describe(input.resourceId, input.versionId) })),
      outputs: engine.store.builds.outputs(build.id).map((output) => describe(output.resourceId, output.versionId)),
    };
  });

  app.post<{ Params: BuildParams }>('/builds/:id/abort', route, async (request) =>
    buildJson(engine.abortBuild(findBuild(engine, request.params.id).id), buildLabels(engine.store)),
  );

  app.post<{ Params: BuildParams }>('/builds/:id/rerun', route, async (request) =>
    buildJson(engine.rerunBuild(findBuild(engine, request.params.id).id), buildLabels(engine.store)),
  );
}
