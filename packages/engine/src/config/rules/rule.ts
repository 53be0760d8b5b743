import type { LooseRecord } from '../loose.js';
import type { Problem } from '../problem.js';
import type { ResourceTypeCatalog } from '../concourse-base-types.js';

export interface RuleContext {
  /** The pipeline after interpolation; it may still have any shape. */
  config: LooseRecord;
  resourceTypes: ResourceTypeCatalog;
}

/** A semantic rule: a pure function from the pipeline to the problems it finds. */
export type Rule = (context: RuleContext) => Problem[];
