import { error, type Problem } from '../problem.js';
import type { Rule } from './rule.js';

/**
 * Concourse refuses a pipeline without jobs ("pipeline must contain at least one job"): it could
 * never run anything. A missing `jobs:` key is already a schema error; this catches `jobs: []`.
 */
export const jobsPresent: Rule = ({ config }) => {
  const jobs = config.jobs;
  if (!Array.isArray(jobs) || jobs.length > 0) return [];
  const problem: Problem = error('no-jobs', ['jobs'], 'the pipeline has no jobs', 'add at least one job; Concourse refuses a pipeline without jobs');
  return [problem];
};
