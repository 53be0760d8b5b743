import { WeirError } from '../errors.js';
import type { PipelineConfig } from '../config/index.js';

/**
 * The most jobs and resources one pipeline may declare. Every job is scheduled, every resource
 * checked, and a pipeline is saved in one transaction: a generated pipeline of 20,000 jobs
 * brought the engine down when unpaused, while the largest real pipelines have a few hundred.
 */
export const PIPELINE_LIMITS = { jobs: 2_000, resources: 2_000 } as const;

export function checkPipelineSize(config: PipelineConfig, file: string): void {
  for (const [key, limit] of Object.entries(PIPELINE_LIMITS) as Array<[keyof typeof PIPELINE_LIMITS, number]>) {
    const count = config[key]?.length ?? 0;
    if (count > limit) {
      throw new WeirError('pipeline-too-large', `${file} declares ${count} ${key}; a pipeline may have at most ${limit}`, {
        location: file,
        hint: `split it into several pipelines (one per team, service or environment), each with at most ${limit} ${key}`,
      });
    }
  }
}
