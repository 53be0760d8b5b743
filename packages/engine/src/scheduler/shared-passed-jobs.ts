import type { JobId, JobInput } from './snapshot.js';

/**
 * A job named in the `passed` of several inputs. Concourse's rule: the versions those inputs
 * use must all have gone through one and the same succeeded build of it, so a fan-in job never
 * mixes an app built by build 7 with a config tested by build 8.
 */
export interface SharedPassedJob {
  jobId: JobId;
  jobName: string;
  /** Indexes into the job's inputs of the inputs whose `passed` names this job, ascending. */
  inputIndexes: number[];
  /** Position in `SharedPassedJobs.all`, to keep per-job state in flat arrays. */
  index: number;
}

export interface SharedPassedJobs {
  all: SharedPassedJob[];
  /** Per input, the shared jobs in its `passed`, in config order. */
  byInput: SharedPassedJob[][];
  /**
   * Groups of inputs that constrain each other through shared jobs (connected components),
   * each ascending, in order of their first input. An input without shared jobs is a group alone.
   */
  linkedGroups: number[][];
}

export function sharedPassedJobs(inputs: readonly JobInput[]): SharedPassedJobs {
  if (inputs.filter((input) => input.passed.length > 0).length < 2) return { all: [], byInput: inputs.map(() => []), linkedGroups: inputs.map((_, i) => [i]) };
  const inputsByJob = new Map<JobId, { jobName: string; inputIndexes: number[] }>();
  inputs.forEach((input, inputIndex) => {
    for (const passed of input.passed) {
      const entry = inputsByJob.get(passed.jobId);
      if (entry === undefined) inputsByJob.set(passed.jobId, { jobName: passed.jobName, inputIndexes: [inputIndex] });
      else if (entry.inputIndexes[entry.inputIndexes.length - 1] !== inputIndex) entry.inputIndexes.push(inputIndex);
    }
  });

  const all: SharedPassedJob[] = [];
  for (const [jobId, { jobName, inputIndexes }] of inputsByJob) {
    if (inputIndexes.length > 1) all.push({ jobId, jobName, inputIndexes, index: all.length });
  }
  const byInput = inputs.map((input) => {
    const shared: SharedPassedJob[] = [];
    for (const passed of input.passed) {
      const job = all.find((s) => s.jobId === passed.jobId);
      if (job !== undefined && !shared.includes(job)) shared.push(job);
    }
    return shared;
  });
  return { all, byInput, linkedGroups: linkedGroups(inputs.length, all) };
}

function linkedGroups(inputCount: number, shared: readonly SharedPassedJob[]): number[][] {
  const parent = Array.from({ length: inputCount }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] as number;
    return i;
  };
  for (const job of shared) {
    const first = root(job.inputIndexes[0] as number);
    for (const other of job.inputIndexes) parent[root(other)] = first;
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < inputCount; i++) {
    const r = root(i);
    const group = groups.get(r);
    if (group === undefined) groups.set(r, [i]);
    else group.push(i);
  }
  // Map order is the order groups were first seen, which is by their first input.
  return [...groups.values()];
}
