import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine.js';
import type { JobActivity } from '../../store/api-views.js';
import { JSON_TYPE } from '../answer-cache.js';
import type { ApiContext } from '../api-context.js';
import { summarizePipeline } from '../pipeline-summary.js';
import { pipelineJson } from '../views.js';

export function registerDashboardRoutes(app: FastifyInstance, { engine, answers }: ApiContext): void {
  app.get('/dashboard', async (_request, reply) => reply.type(JSON_TYPE).send(answers.json('dashboard', () => dashboard(engine))));
}

/** Two queries for every pipeline at once, and no config parsed: a dashboard of hundreds must not ask per pipeline. */
function dashboard(engine: Engine) {
  const jobsByPipeline = new Map<number, JobActivity[]>();
  for (const job of engine.store.apiViews.jobActivity()) {
    const list = jobsByPipeline.get(job.pipelineId);
    if (list) list.push(job);
    else jobsByPipeline.set(job.pipelineId, [job]);
  }
  const checkErrors = engine.store.apiViews.checkErrorCounts();
  return engine.store.pipelines.listStates().map((pipeline) => ({
    ...pipelineJson(pipeline),
    summary: summarizePipeline(pipeline.paused, jobsByPipeline.get(pipeline.id) ?? [], checkErrors.get(pipeline.id) ?? 0),
  }));
}
