import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { JSON_TYPE } from '../answer-cache.js';
import type { ApiContext } from '../api-context.js';
import { configForReaders } from '../config-for-readers.js';
import { findPipeline, parseInstanceVars } from '../lookups.js';
import { PipelineGraphCache } from '../pipeline-graph-cache.js';
import { instanceVarsQuery, PipelineParams, PipelineQuery, strictQuery } from '../route-schemas.js';
import { pipelineJson, problemJson } from '../views.js';

const ShowQuery = strictQuery({
  ...instanceVarsQuery,
  include_config: Type.Optional(Type.Boolean({ default: true, description: 'false: the pipeline without its config, for a page that needs only its state' })),
});

const ListQuery = strictQuery({ include_archived: Type.Optional(Type.Boolean({ default: false })) });

const SetConfigBody = Type.Object(
  {
    config: Type.String({ description: 'the pipeline as YAML text' }),
    file: Type.Optional(Type.String({ minLength: 1, description: 'the file name errors name' })),
    vars: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    instance_vars: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    expected_config_version: Type.Optional(Type.Integer({ minimum: 0, description: 'refuse the set if the pipeline changed since; 0: it must not exist' })),
  },
  { additionalProperties: false },
);

const PIPELINE_ACTIONS = ['pause', 'unpause'] as const;

const ArchiveQuery = strictQuery({
  ...instanceVarsQuery,
  skip_teardown: Type.Optional(Type.Boolean({ default: false, description: 'archive at once, without running the pipeline\'s teardown_job' })),
});

export function registerPipelineRoutes(app: FastifyInstance, { engine, answers }: ApiContext): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/pipelines', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const includeArchived = request.query.include_archived;
    const answer = answers.json(`pipelines ${includeArchived}`, () => engine.store.pipelines.listStates({ includeArchived }).map(pipelineJson));
    return reply.type(JSON_TYPE).send(answer);
  });

  app.get<{ Params: PipelineParams; Querystring: Static<typeof ShowQuery> }>(
    '/pipelines/:pipeline',
    { schema: { params: PipelineParams, querystring: ShowQuery } },
    async (request) => {
      const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
      // A large pipeline's config is hundreds of KB; the graph page polls only for its state.
      if (request.query.include_config === false) return pipelineJson(pipeline);
      // Read in the same synchronous turn as the lookup: the row is still there.
      return { ...pipelineJson(pipeline), config: configForReaders(JSON.parse(engine.store.pipelines.configText(pipeline.id)!)) };
    },
  );

  const graphs = new PipelineGraphCache();
  app.get<{ Params: PipelineParams; Querystring: PipelineQuery }>(
    '/pipelines/:pipeline/graph',
    { schema: { params: PipelineParams, querystring: PipelineQuery } },
    async (request, reply) => {
      const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
      // Read in the same synchronous turn as the lookup: the row is still there.
      const configText = engine.store.pipelines.configText(pipeline.id)!;
      return reply.type(JSON_TYPE).send(graphs.json(pipeline.id, configText));
    },
  );

  app.put<{ Params: PipelineParams; Querystring: PipelineQuery; Body: Static<typeof SetConfigBody> }>(
    '/pipelines/:pipeline/config',
    { schema: { params: PipelineParams, querystring: PipelineQuery, body: SetConfigBody } },
    async (request) => {
      const { body } = request;
      const instanceVars = body.instance_vars ?? parseInstanceVars(request.query.instance_vars);
      const saved = await engine.setPipelineAsync({
        name: request.params.pipeline,
        text: body.config,
        ...(body.file !== undefined && { file: body.file }),
        ...(body.vars && { vars: body.vars }),
        ...(instanceVars && { instanceVars }),
        ...(body.expected_config_version !== undefined && { expectedConfigVersion: body.expected_config_version }),
      });
      return { pipeline: pipelineJson(saved.pipeline), created: saved.created, warnings: saved.warnings.map(problemJson) };
    },
  );

  for (const action of PIPELINE_ACTIONS) {
    app.post<{ Params: PipelineParams; Querystring: PipelineQuery }>(
      `/pipelines/:pipeline/${action}`,
      { schema: { params: PipelineParams, querystring: PipelineQuery } },
      async (request) => {
        const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
        engine.store.pipelines.setPaused(pipeline.id, action === 'pause');
        return pipelineJson(engine.store.pipelines.byId(pipeline.id)!);
      },
    );
  }

  // With a teardown_job the archive happens later, when that job's build succeeds: the reply
  // names the build so a client can follow it.
  app.post<{ Params: PipelineParams; Querystring: Static<typeof ArchiveQuery> }>(
    '/pipelines/:pipeline/archive',
    { schema: { params: PipelineParams, querystring: ArchiveQuery } },
    async (request) => {
      const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
      engine.archivePipeline(pipeline.id, { skipTeardown: request.query.skip_teardown });
      return pipelineJson(engine.store.pipelines.byId(pipeline.id)!);
    },
  );

  app.delete<{ Params: PipelineParams; Querystring: PipelineQuery }>(
    '/pipelines/:pipeline',
    { schema: { params: PipelineParams, querystring: PipelineQuery } },
    async (request, reply) => {
      const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
      await engine.destroyPipeline(pipeline.id);
      engine.logger.info({ pipeline: pipeline.name, instanceVars: pipeline.instanceVars }, 'pipeline destroyed');
      return reply.code(204).send();
    },
  );
}
