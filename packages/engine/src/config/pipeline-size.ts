import type { LooseRecord } from './loose.js';
import { error, type Problem } from './problem.js';

/**
 * The most jobs and resources one pipeline may declare. Every job is scheduled, every resource
 * checked, and a pipeline is saved in one transaction: a generated pipeline of 20,000 jobs
 * brought the engine down when unpaused, while the largest real pipelines have a few hundred.
 */
export const PIPELINE_LIMITS = { jobs: 2_000, resources: 2_000 } as const;

/**
 * Counted on the YAML as read, before vars, the schema and the rules: those cost time in
 * proportion to the size, and a pipeline over the limits is refused whatever else is in it.
 */
export function pipelineSizeProblems(pipeline: LooseRecord): Problem[] {
  const problems: Problem[] = [];
  for (const [key, limit] of Object.entries(PIPELINE_LIMITS) as Array<[keyof typeof PIPELINE_LIMITS, number]>) {
    const list = pipeline[key];
    const count = Array.isArray(list) ? list.length : 0;
    if (count > limit) {
      problems.push(
        error('pipeline-too-large', [key], `the pipeline declares ${count} ${key}; a pipeline may have at most ${limit}`, `split it into several pipelines (one per team, service or environment), each with at most ${limit} ${key}`),
      );
    }
  }
  return problems;
}
