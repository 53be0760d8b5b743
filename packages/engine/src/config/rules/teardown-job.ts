import { asString } from '../loose.js';
import { error, warning, type Problem } from '../problem.js';
import { suggest } from '../suggest.js';
import type { Rule } from './rule.js';

/**
 * `teardown_job` names a job of the pipeline (archiving would otherwise skip the teardown), and
 * one that can run whenever it is asked to: a `passed` input may never resolve, and then the
 * pipeline could never be archived.
 */
export const teardownJob: Rule = ({ config, jobs }) => {
  const name = asString(config.teardown_job);
  if (name === undefined) return [];
  const jobNames = jobs.map(({ job }) => asString(job.name)).filter((n): n is string => n !== undefined);
  const found = jobs.find(({ job }) => asString(job.name) === name);
  if (found) {
    return found.steps
      .filter(({ step }) => step.passed !== undefined)
      .map(({ path }) =>
        warning(
          'teardown-job-passed',
          [...path, 'passed'],
          `the teardown job "${name}" waits for \`passed\` here, which may never be met: the pipeline could then not be archived`,
          'give the teardown job inputs without passed constraints (or none), so it can run whenever the pipeline is let go',
        ),
      );
  }
  const guess = suggest(name, jobNames);
  const problem: Problem = error(
    'teardown-job-unknown',
    ['teardown_job'],
    `teardown_job names job "${name}", which does not exist`,
    guess ? `did you mean "${guess}"?` : 'name the job that deletes what this pipeline created, or remove teardown_job',
  );
  return [problem];
};
