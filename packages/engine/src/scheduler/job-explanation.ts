import type { InputExplanation, JobExplanation, Reason } from './decisions.js';
import type { SchedulableJob } from './snapshot.js';

/** What one pass did with a job, as far as the explanation needs it. */
export interface JobOutcome {
  /** Builds of the job started in this pass (pending ones and new ones). */
  started: number;
  /** Builds of the job still pending after this pass, including one created pending in it. */
  waiting: number;
  /**
   * Paused, max in flight, serial group busy; or, when the job neither has nor creates a
   * build, why no build was triggered (no trigger input, nothing new).
   */
  blockers: Reason[];
  inputs: InputExplanation[];
}

/** The explanation of one job, with a one-line summary a user reads first. */
export function jobExplanation(job: SchedulableJob, outcome: JobOutcome): JobExplanation {
  return { jobId: job.id, job: job.name, pipeline: job.pipelineName, summary: summary(outcome), blockers: outcome.blockers, inputs: outcome.inputs };
}

function summary({ started, waiting, blockers, inputs }: JobOutcome): string {
  const paused = blockers.find((b) => b.code === 'pipeline-paused' || b.code === 'job-paused');
  if (paused !== undefined) return `paused: ${paused.message}`;
  const retiring = blockers.find((b) => b.code === 'pipeline-retiring');
  if (retiring !== undefined) return `held: ${retiring.message}`;

  const failing = inputs.find((input) => input.reasons.length > 0);
  const inputProblem = failing === undefined ? undefined : `input ${failing.name}: ${failing.reasons[0]?.message ?? ''}`;
  const parts: string[] = [];
  if (started > 0) parts.push(`starting ${plural(started, 'build')}`);
  if (waiting > 0) parts.push(`${plural(waiting, 'build')} waiting: ${blockers[0]?.message ?? inputProblem ?? 'for a free slot'}`);
  if (parts.length > 0) return parts.join('; ');
  if (inputProblem !== undefined) return `waiting: ${inputProblem}`;
  return blockers[0] !== undefined ? `idle: ${blockers[0].message}` : 'idle';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
