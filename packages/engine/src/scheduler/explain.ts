import { WeirError } from '../errors.js';
import type { JobExplanation } from './decisions.js';
import { decideNextBuilds } from './decide-next-builds.js';
import type { JobId, SchedulingSnapshot } from './snapshot.js';

export class JobNotInSnapshotError extends WeirError {
  constructor(readonly jobId: JobId) {
    super('job-not-in-snapshot', `job ${jobId} is not in the scheduling snapshot`, { hint: 'load a snapshot with the job (and the other jobs of its serial groups)' });
    this.name = 'JobNotInSnapshotError';
  }
}

/**
 * Why the job is or is not running. It is the explanation a scheduling pass over the snapshot
 * gives the job, so `weir explain` can never disagree with what the scheduler does; a snapshot
 * of just the job and the other jobs of its serial groups is enough.
 */
export function explainJob(snapshot: SchedulingSnapshot, jobId: JobId): JobExplanation {
  const explanation = decideNextBuilds(snapshot, { explain: true }).jobs.find((job) => job.jobId === jobId)?.explanation;
  if (explanation === undefined) throw new JobNotInSnapshotError(jobId);
  return explanation;
}
