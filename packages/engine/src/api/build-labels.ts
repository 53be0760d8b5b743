import type { Store } from '../store/index.js';
import type { BuildLabels } from './views.js';

/** Labels for the builds of one answer, each pipeline and job read once. */
export function buildLabels(store: Store): BuildLabels {
  const pipelines = new Map<number, ReturnType<BuildLabels['pipeline']>>();
  const jobs = new Map<number, string | undefined>();
  return {
    pipeline(pipelineId) {
      if (!pipelines.has(pipelineId)) pipelines.set(pipelineId, store.apiViews.pipelineLabel(pipelineId));
      return pipelines.get(pipelineId);
    },
    jobName(jobId) {
      if (!jobs.has(jobId)) jobs.set(jobId, store.apiViews.jobName(jobId));
      return jobs.get(jobId);
    },
  };
}
