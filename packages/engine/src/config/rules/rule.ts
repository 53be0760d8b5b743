import type { LooseRecord } from '../loose.js';
import type { Problem } from '../problem.js';
import type { ResourceTypeCatalog } from '../concourse-base-types.js';
import type { PipelineJob } from '../step-tree.js';

export interface RuleContext {
  /** The pipeline after interpolation; it may still have any shape. */
  config: LooseRecord;
  resourceTypes: ResourceTypeCatalog;
  /**
   * `pipelineJobs(config)`: every job with its steps. Walking the step tree is most of what the
   * rules cost, so it is done once per pipeline and shared instead of once per rule.
   */
  jobs: readonly PipelineJob[];
}

/** A semantic rule: a pure function from the pipeline to the problems it finds. */
export type Rule = (context: RuleContext) => Problem[];
