import { checkDocument, type CheckedDocument, type DocumentKind } from './check-document.js';
import type { LoadPipelineOptions } from './load-pipeline.js';
import { asRecord } from './loose.js';
import { checkTaskConfig } from './rules/index.js';
import { classify } from './rules/resource-types.js';
import { SchemaChecker } from './schema-check.js';
import { taskJsonSchema, type TaskConfig } from './schema/index.js';
import type { Problem } from './problem.js';
import { isWholeVarReference } from './vars.js';

let taskSchema: SchemaChecker | undefined;

/**
 * Text of a task file → a validated `TaskConfig`, or every problem with its location.
 * `imageArtifact`: the task runs in an image artifact (a step's `image:`, `weir execute --image`)
 * that takes precedence over the config's own image.
 */
export function loadTaskConfig(text: string, options: LoadPipelineOptions & { imageArtifact?: boolean }): CheckedDocument<TaskConfig> {
  taskSchema ??= new SchemaChecker(taskJsonSchema as unknown as Record<string, unknown>, 'task config');
  const kind: DocumentKind = {
    subject: 'task config',
    schema: taskSchema,
    rules: (config) => {
      const problems: Problem[] = checkTaskConfig(config, [], options.imageArtifact);
      const type = asRecord(config.image_resource)?.type;
      if (typeof type === 'string' && !isWholeVarReference(type)) {
        const problem = classify(type, [], options.resourceTypes, ['image_resource', 'type'], 'the task image');
        if (problem) problems.push(problem);
      }
      return problems;
    },
  };
  return checkDocument<TaskConfig>(text, kind, options);
}
