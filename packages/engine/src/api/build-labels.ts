import type { Store } from '../store/index.js';
import type { BuildRecord } from '../store/records.js';
import type { BuildLabels } from './views.js';

/**
 * Labels for the builds of one answer, each pipeline and job read once. Given the builds the
 * answer shows, it reads the names of all their pipelines and jobs at once, in two queries
 * instead of two per job (a list of 50 builds of 50 jobs).
 */
export function buildLabels(store: Store, builds: readonly BuildRecord[] = []): BuildLabels {
  const pipelineIds = new Set<number>();
  const jobIds = new Set<number>();
  for (const build of builds) {
    if (build.pipelineId !== null) pipelineIds.add(build.pipelineId);
    if (build.jobId !== null) jobIds.add(build.jobId);
  }
  const pipelines = new Map<number, ReturnType<BuildLabels['pipeline']>>(pipelineIds.size > 1 ? store.apiViews.pipelineLabels([...pipelineIds]) : []);
  const jobs = new Map<number, string | undefined>(jobIds.size > 1 ? store.apiViews.jobNames([...jobIds]) : []);
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
