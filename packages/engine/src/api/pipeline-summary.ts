import type { JobActivity } from '../store/api-views.js';

/**
 * What a dashboard shows of a pipeline at a glance, as Concourse's dashboard does: paused
 * wins, then running, then the worst latest result among its jobs (errored over failed over
 * aborted), then succeeded; `pending` when no job has finished a build yet.
 */
export type PipelineStatus = 'paused' | 'running' | 'errored' | 'failed' | 'aborted' | 'succeeded' | 'pending';

export interface PipelineSummary {
  status: PipelineStatus;
  jobs: { total: number; succeeded: number; failed: number; errored: number; aborted: number; running: number; pending: number; paused: number };
  /** Resources whose last check failed. */
  check_errors: number;
}

const WORST_FIRST = ['errored', 'failed', 'aborted'] as const;

export function summarizePipeline(paused: boolean, jobs: readonly JobActivity[], checkErrors: number): PipelineSummary {
  const counts = { total: jobs.length, succeeded: 0, failed: 0, errored: 0, aborted: 0, running: 0, pending: 0, paused: 0 };
  for (const job of jobs) {
    if (job.finished !== null && job.finished !== 'pending' && job.finished !== 'started') counts[job.finished]++;
    if (job.running) counts.running++;
    if (job.pending) counts.pending++;
    if (job.paused) counts.paused++;
  }
  return { status: statusOf(paused, counts), jobs: counts, check_errors: checkErrors };
}

function statusOf(paused: boolean, counts: PipelineSummary['jobs']): PipelineStatus {
  if (paused) return 'paused';
  if (counts.running > 0) return 'running';
  for (const status of WORST_FIRST) if (counts[status] > 0) return status;
  return counts.succeeded > 0 ? 'succeeded' : 'pending';
}
