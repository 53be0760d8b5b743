import { asString, records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import { suggest } from '../suggest.js';
import type { Rule } from './rule.js';

/** `teardown_job` names a job of the pipeline: archiving would otherwise skip the teardown. */
export const teardownJob: Rule = ({ config }) => {
  const name = asString(config.teardown_job);
  if (name === undefined) return [];
  const jobNames = records(config.jobs)
    .map(([, job]) => asString(job.name))
    .filter((n): n is string => n !== undefined);
  if (jobNames.includes(name)) return [];
  const guess = suggest(name, jobNames);
  const problem: Problem = error(
    'teardown-job-unknown',
    ['teardown_job'],
    `teardown_job names job "${name}", which does not exist`,
    guess ? `did you mean "${guess}"?` : 'name the job that deletes what this pipeline created, or remove teardown_job',
  );
  return [problem];
};
