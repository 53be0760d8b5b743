import type { Static } from '@sinclair/typebox';
import { emitJsonSchema } from './emit.js';
import { PipelineModule } from './pipeline.js';

export { PipelineModule } from './pipeline.js';
export { STEP_KIND_DEFINITIONS, STEP_KIND_KEYS, type StepKind } from './steps.js';
export {
  emitJsonSchema,
  KIND_KEYS_MARKER,
  serializeJsonSchema,
  type DocumentInfo,
  type JsonSchema,
  type JsonSchemaDocument,
} from './emit.js';

const definitions = PipelineModule.Import('Pipeline').$defs;

/** Draft-07 schema of a pipeline file, derived from the TypeBox definitions; the runtime validates with it. */
export const pipelineJsonSchema = emitJsonSchema(definitions, 'Pipeline', {
  title: 'weir pipeline',
  description: 'A weir pipeline, written in the Concourse pipeline format.',
});

/** Draft-07 schema of a task config file (what a task step's `file` points at). */
export const taskJsonSchema = emitJsonSchema(definitions, 'TaskConfig', {
  title: 'weir task config',
  description: 'A task config file in the Concourse format, as named by a task step\'s `file`.',
});

export { publishedSchemas, type PublishedResourceType } from './published-schemas.js';

type DefinitionName = Parameters<typeof PipelineModule.Import>[0];
type ConfigOf<Name extends DefinitionName> = Static<ReturnType<typeof PipelineModule.Import<Name>>>;

export type PipelineConfig = ConfigOf<'Pipeline'>;
export type GroupConfig = ConfigOf<'Group'>;
export type DisplayConfig = ConfigOf<'Display'>;
export type ResourceConfig = ConfigOf<'Resource'>;
export type ResourceTypeConfig = ConfigOf<'ResourceType'>;
export type PrototypeConfig = ConfigOf<'Prototype'>;
export type VarSourceConfig = ConfigOf<'VarSource'>;
export type JobConfig = ConfigOf<'Job'>;
export type BuildLogRetentionConfig = ConfigOf<'BuildLogRetention'>;
export type TriggerVarConfig = ConfigOf<'TriggerVar'>;
export type StepConfig = ConfigOf<'Step'>;
export type GetStepConfig = ConfigOf<'GetStep'>;
export type PutStepConfig = ConfigOf<'PutStep'>;
export type TaskStepConfig = ConfigOf<'TaskStep'>;
export type SetPipelineStepConfig = ConfigOf<'SetPipelineStep'>;
export type LoadVarStepConfig = ConfigOf<'LoadVarStep'>;
export type InParallelStepConfig = ConfigOf<'InParallelStep'>;
export type InParallelConfig = ConfigOf<'InParallelConfig'>;
export type DoStepConfig = ConfigOf<'DoStep'>;
export type TryStepConfig = ConfigOf<'TryStep'>;
export type RunStepConfig = ConfigOf<'RunStep'>;
export type AcrossVarConfig = ConfigOf<'AcrossVar'>;
export type TaskConfig = ConfigOf<'TaskConfig'>;
export type TaskImageResourceConfig = ConfigOf<'TaskImageResource'>;
export type TaskInputConfig = ConfigOf<'TaskInput'>;
export type TaskOutputConfig = ConfigOf<'TaskOutput'>;
export type TaskCacheConfig = ConfigOf<'TaskCache'>;
export type TaskRunConfig = ConfigOf<'TaskRun'>;
export type ContainerLimitsConfig = ConfigOf<'ContainerLimits'>;
