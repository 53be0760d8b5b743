import { checkDocument, type CheckDocumentOptions, type CheckedDocument, type DocumentKind } from './check-document.js';
import type { ResourceTypeCatalog } from './concourse-base-types.js';
import { pipelineSizeProblems } from './pipeline-size.js';
import { PIPELINE_RULES } from './rules/index.js';
import { SchemaChecker } from './schema-check.js';
import { pipelineJsonSchema, STEP_KIND_KEYS, type PipelineConfig } from './schema/index.js';
import { asRecord } from './loose.js';
import type { Problem } from './problem.js';
import { pipelineJobs, stepKinds } from './step-tree.js';

export interface LoadPipelineOptions extends CheckDocumentOptions {
  resourceTypes: ResourceTypeCatalog;
}

let pipelineSchema: SchemaChecker | undefined;

/** "get step", "task step", ... for a mapping that is a step. */
function describeStep(value: unknown): string | undefined {
  const step = asRecord(value);
  if (!step) return undefined;
  const kinds = stepKinds(step);
  return kinds.length === 1 ? `${kinds[0]} step` : undefined;
}

/** A step with two actions gets one clear error, not an unknown-key error per extra action. */
function reconcile(problems: Problem[]): Problem[] {
  const multi = problems.filter((p) => p.code === 'step-multiple-actions').map((p) => JSON.stringify(p.path.slice(0, -1)));
  if (multi.length === 0) return problems;
  return problems.filter((p) => {
    if (p.code !== 'unknown-key') return true;
    const key = p.path[p.path.length - 1];
    return !(STEP_KIND_KEYS as readonly unknown[]).includes(key) || !multi.includes(JSON.stringify(p.path.slice(0, -1)));
  });
}

/** Text → a validated `PipelineConfig`, or every problem with its location. Never throws on bad input. */
export function loadPipeline(text: string, options: LoadPipelineOptions): CheckedDocument<PipelineConfig> {
  pipelineSchema ??= new SchemaChecker(pipelineJsonSchema as unknown as Record<string, unknown>, 'pipeline', describeStep);
  const kind: DocumentKind = {
    subject: 'pipeline',
    schema: pipelineSchema,
    rules: (config) => {
      const context = { config, resourceTypes: options.resourceTypes, jobs: pipelineJobs(config) };
      return PIPELINE_RULES.flatMap((rule) => rule(context));
    },
    reconcile,
    sizeLimits: pipelineSizeProblems,
  };
  return checkDocument<PipelineConfig>(text, kind, options);
}
