import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine.js';
import { WeirError } from '../../errors.js';
import type { JobRecord } from '../../store/records.js';
import { JSON_TYPE } from '../answer-cache.js';
import type { ApiContext } from '../api-context.js';
import { buildLabels } from '../build-labels.js';
import { findJob, findPipeline } from '../lookups.js';
import { instanceVarsQuery, JobParams, limit, PipelineParams, PipelineQuery, strictQuery } from '../route-schemas.js';
import { buildJson, explanationJson, jobJson, jobView, type BuildLabels, type JobJson } from '../views.js';

const BuildsQuery = strictQuery({ ...instanceVarsQuery, limit: limit(50, 1000) });

const JOB_ACTIONS = ['pause', 'unpause'] as const;

/** A manual build's values for the job's trigger_vars; no body at all starts it with the defaults. */
const TriggerBody = Type.Optional(
  Type.Object(
    { vars: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.String({ maxLength: 10_000 }), { maxProperties: 100 })) },
    { additionalProperties: false },
  ),
);

export function registerJobRoutes(app: FastifyInstance, { engine, answers }: ApiContext): void {
  const route = { schema: { params: JobParams, querystring: PipelineQuery } };
  const jobOf = (request: { params: JobParams; query: PipelineQuery }) =>
    findJob(engine, findPipeline(engine, request.params.pipeline, request.query.instance_vars), request.params.job);

  app.get<{ Params: PipelineParams; Querystring: PipelineQuery }>(
    '/pipelines/:pipeline/jobs',
    { schema: { params: PipelineParams, querystring: PipelineQuery } },
    async (request, reply) => {
      const pipeline = findPipeline(engine, request.params.pipeline, request.query.instance_vars);
      return reply.type(JSON_TYPE).send(answers.json(`jobs ${pipeline.id}`, () => listJobs(engine, pipeline.id)));
    },
  );

  app.get<{ Params: JobParams; Querystring: PipelineQuery }>('/pipelines/:pipeline/jobs/:job', route, async (request) =>
    summarize(engine, jobOf(request), buildLabels(engine.store)),
  );

  for (const action of JOB_ACTIONS) {
    app.post<{ Params: JobParams; Querystring: PipelineQuery }>(`/pipelines/:pipeline/jobs/:job/${action}`, route, async (request) => {
      const job = jobOf(request);
      engine.store.jobs.setPaused(job.id, action === 'pause');
      return summarize(engine, engine.store.jobs.byId(job.id)!, buildLabels(engine.store));
    });
  }

  app.get<{ Params: JobParams; Querystring: Static<typeof BuildsQuery> }>(
    '/pipelines/:pipeline/jobs/:job/builds',
    { schema: { params: JobParams, querystring: BuildsQuery } },
    async (request) => {
      const builds = engine.store.builds.listForJob(jobOf(request).id, request.query.limit);
      const labels = buildLabels(engine.store, builds);
      return builds.map((build) => buildJson(build, labels));
    },
  );

  app.post<{ Params: JobParams; Querystring: PipelineQuery; Body: Static<typeof TriggerBody> | undefined }>(
    '/pipelines/:pipeline/jobs/:job/builds',
    { schema: { params: JobParams, querystring: PipelineQuery, body: TriggerBody } },
    async (request) => buildJson(engine.triggerJob(jobOf(request).id, request.body?.vars ?? {}), buildLabels(engine.store)),
  );

  app.get<{ Params: JobParams; Querystring: PipelineQuery }>('/pipelines/:pipeline/jobs/:job/explain', route, async (request) => {
    const job = jobOf(request);
    const explanation = engine.scheduler.explain(job.id);
    if (!explanation) {
      throw new WeirError('job-not-found', `job ${job.name} is no longer scheduled`, { hint: 'list the pipeline\'s jobs to see what exists now' });
    }
    return explanationJson(explanation);
  });
}

/**
 * A pipeline's job list in four reads whatever its size (the jobs with their builds' ids, the
 * builds, their labels), not two per job: every open pipeline page polls it.
 */
function listJobs(engine: Engine, pipelineId: number): JobJson[] {
  const listing = engine.store.apiViews.jobListing(pipelineId);
  const ids = listing.flatMap((row) => [row.finishedBuildId, row.nextBuildId].filter((id) => id !== null));
  const builds = new Map(engine.store.builds.byIds(ids).map((build) => [build.id, build]));
  const labels = buildLabels(engine.store, [...builds.values()]);
  const build = (id: number | null) => (id === null ? null : (builds.get(id) ?? null));
  return listing.map((row) => jobJson(row.job, { finishedBuild: build(row.finishedBuildId), nextBuild: build(row.nextBuildId) }, labels));
}

function summarize(engine: Engine, job: JobRecord, labels: BuildLabels) {
  return jobJson(jobView(job), engine.store.builds.jobSummary(job.id), labels);
}
