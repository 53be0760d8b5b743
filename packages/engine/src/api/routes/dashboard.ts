import type { FastifyInstance } from 'fastify';
import type { JobActivity } from '../../store/api-views.js';
import type { ApiContext } from '../api-context.js';
import { summarizePipeline } from '../pipeline-summary.js';
import { pipelineJson } from '../views.js';

export function registerDashboardRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  // Two queries for every pipeline at once, and no config parsed: a dashboard of hundreds must not ask per pipeline.
  app.get('/dashboard', async () => {
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
  });
}
