import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine.js';
import { WeirError } from '../../errors.js';
import type { ResourceRecord } from '../../store/records.js';
import type { ApiContext } from '../api-context.js';
import { findPipeline, findResource } from '../lookups.js';
import { instanceVarsQuery, limit, PipelineParams, PipelineQuery, ResourceParams, strictQuery, VersionFields } from '../route-schemas.js';
import { checkOutcomeJson, resourceJson, versionJson, type VersionJson } from '../views.js';

const VersionsQuery = strictQuery({ ...instanceVarsQuery, limit: limit(100, 1000) });

const CheckBody = Type.Object({ from: Type.Optional(VersionFields) }, { additionalProperties: false });

const PinBody = Type.Object(
  {
    version: Type.Optional(VersionFields),
    version_id: Type.Optional(Type.Integer({ minimum: 1 })),
    comment: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const VersionParams = Type.Object({ ...ResourceParams.properties, version_id: Type.Integer({ minimum: 1 }) });
type VersionParams = Static<typeof VersionParams>;

const VERSION_ACTIONS = ['enable', 'disable'] as const;

export function registerResourceRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  const route = { schema: { params: ResourceParams, querystring: PipelineQuery } };
  const resourceOf = (request: { params: ResourceParams; query: PipelineQuery }) =>
    findResource(engine, findPipeline(engine, request.params.pipeline, request.query.instance_vars), request.params.resource);

  app.get<{ Params: PipelineParams; Querystring: PipelineQuery }>(
    '/pipelines/:pipeline/resources',
    { schema: { params: PipelineParams, querystring: PipelineQuery } },
    async (request) => {
      const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
      return engine.store.resources.list(pipeline.id).map((resource) => describeResource(engine, resource));
    },
  );

  app.get<{ Params: ResourceParams; Querystring: PipelineQuery }>('/pipelines/:pipeline/resources/:resource', route, async (request) =>
    describeResource(engine, resourceOf(request)),
  );

  app.get<{ Params: ResourceParams; Querystring: Static<typeof VersionsQuery> }>(
    '/pipelines/:pipeline/resources/:resource/versions',
    { schema: { params: ResourceParams, querystring: VersionsQuery } },
    async (request) =>
      engine.store.resources.listVersions(resourceOf(request).id, { limit: request.query.limit }).map((version) => versionJson(version, version.enabled)),
  );

  app.post<{ Params: ResourceParams; Querystring: PipelineQuery; Body: Static<typeof CheckBody> }>(
    '/pipelines/:pipeline/resources/:resource/check',
    { schema: { ...route.schema, body: CheckBody } },
    async (request) => {
      const resource = resourceOf(request);
      const outcome = await engine.checker.checkResource(resource.id, request.body.from);
      return checkOutcomeJson(outcome);
    },
  );

  app.post<{ Params: ResourceParams; Querystring: PipelineQuery; Body: Static<typeof PinBody> }>(
    '/pipelines/:pipeline/resources/:resource/pin',
    { schema: { ...route.schema, body: PinBody } },
    async (request) => {
      const resource = resourceOf(request);
      engine.store.resources.pin(resource.id, pinnedVersionId(engine, resource, request.body), request.body.comment);
      return describeResource(engine, engine.store.resources.byId(resource.id)!);
    },
  );

  app.post<{ Params: ResourceParams; Querystring: PipelineQuery }>('/pipelines/:pipeline/resources/:resource/unpin', route, async (request) => {
    const resource = resourceOf(request);
    engine.store.resources.unpin(resource.id);
    return describeResource(engine, engine.store.resources.byId(resource.id)!);
  });

  for (const action of VERSION_ACTIONS) {
    app.post<{ Params: VersionParams; Querystring: PipelineQuery }>(
      `/pipelines/:pipeline/resources/:resource/versions/:version_id/${action}`,
      { schema: { params: VersionParams, querystring: PipelineQuery } },
      async (request) => {
        const resource = resourceOf(request);
        engine.store.resources.setVersionEnabled(resource.id, request.params.version_id, action === 'enable');
        return describeVersion(engine, resource.id, request.params.version_id);
      },
    );
  }
}

function describeResource(engine: Engine, resource: ResourceRecord) {
  const latest = engine.store.resources.latestVersion(resource.scopeId);
  // The checker redacted the error's secrets before storing it.
  return resourceJson(resource, latest ? describeVersion(engine, resource.id, latest.id) : null);
}

function describeVersion(engine: Engine, resourceId: number, versionId: number): VersionJson {
  return versionJson(engine.store.resources.version(versionId)!, engine.store.apiViews.isVersionEnabled(resourceId, versionId));
}

function pinnedVersionId(engine: Engine, resource: ResourceRecord, body: Static<typeof PinBody>): number {
  if ((body.version === undefined) === (body.version_id === undefined)) {
    throw new WeirError('pin-version-missing', 'a pin names its version either by `version` or by `version_id`, and only one of them', {
      location: resource.name,
      hint: 'send {"version": {"ref": "..."}} or {"version_id": 12}',
    });
  }
  if (body.version_id !== undefined) return body.version_id;
  const versionId = engine.store.resources.findVersion(resource.id, body.version!);
  if (versionId === undefined) {
    throw new WeirError('version-not-found', `resource ${resource.name} has no version matching ${JSON.stringify(body.version)}`, {
      location: resource.name,
      hint: 'list the resource\'s versions, or check the resource so it finds that version',
    });
  }
  return versionId;
}
