import { Type } from '@sinclair/typebox';
import { StringList } from './common.js';
import { BuildLogRetention, Job, TriggerVar } from './jobs.js';
import { Prototype, Resource, ResourceType, VarSource } from './resources.js';
import {
  AcrossVar,
  DoStep,
  GetStep,
  InParallelConfig,
  InParallelStep,
  LoadVarStep,
  PutStep,
  RunStep,
  SetPipelineStep,
  Step,
  TaskStep,
  TryStep,
} from './steps.js';
import { ContainerLimits, TaskCache, TaskConfig, TaskImageResource, TaskInput, TaskOutput, TaskRun } from './task.js';

export const Group = Type.Object(
  {
    name: Type.String({ description: 'Name of the group, shown as a tab at the top of the pipeline view.' }),
    jobs: Type.Optional(
      StringList('Jobs shown in the group, by name or glob pattern such as `deploy-*`. A job may be in several groups.'),
    ),
    resources: Type.Optional(
      StringList(
        'Legacy list of resources for the group; accepted for compatibility, current Concourse derives them from the jobs.',
      ),
    ),
  },
  { additionalProperties: false, description: 'A named subset of the jobs, to split a large pipeline into views.' },
);

export const Display = Type.Object(
  {
    background_image: Type.Optional(
      Type.String({ description: 'URL of an image shown behind the pipeline view.' }),
    ),
    background_filter: Type.Optional(
      Type.String({
        description:
          'CSS filter applied to the background image. Defaults to `opacity(30%) grayscale(100%)`.',
      }),
    ),
  },
  { additionalProperties: false, description: 'How the pipeline looks in the web UI.' },
);

// Deliberately open: Concourse ignores unknown top-level keys, which pipelines
// use to park YAML anchors (`meta:`, `anchors:`...). The semantic layer warns.
export const Pipeline = Type.Object(
  {
    // Concourse refuses a pipeline without jobs ("pipeline must contain at least
    // one job"): the key is required here and `jobs: []` is the `no-jobs` rule.
    jobs: Type.Array(Type.Ref('Job'), { description: 'The jobs of the pipeline: what it actually runs.' }),
    resources: Type.Optional(
      Type.Array(Type.Ref('Resource'), { description: 'The resources the jobs fetch from and push to.' }),
    ),
    resource_types: Type.Optional(
      Type.Array(Type.Ref('ResourceType'), {
        description: 'Custom resource types, in addition to those built into the workers.',
      }),
    ),
    var_sources: Type.Optional(
      Type.Array(Type.Ref('VarSource'), {
        description: 'Named credential managers that `((source:var))` placeholders read from.',
      }),
    ),
    groups: Type.Optional(
      Type.Array(Type.Ref('Group'), {
        description: 'Tabs that each show a subset of the jobs. Once groups exist, every job should be in at least one.',
      }),
    ),
    display: Type.Optional(Type.Ref('Display', { description: 'Appearance of the pipeline in the web UI.' })),
    prototypes: Type.Optional(
      Type.Array(Type.Ref('Prototype'), { description: 'Prototypes for the experimental `run` step.' }),
    ),
    user_data: Type.Optional(
      Type.Unknown({
        description: 'Anything at all, kept with the pipeline and ignored by it: a place for tools to store their own data (Concourse\'s `user_data`).',
      }),
    ),
    teardown_job: Type.Optional(
      Type.String({
        description:
          'weir extension. The job that deletes what this pipeline created (an environment, a database copy). Whenever weir archives the pipeline (its parent job stopped setting it or was removed, the parent\'s pipeline was archived or destroyed, its `expire_after` ran out, or `weir archive-pipeline`), it first holds the other jobs and aborts their builds, runs this one (even when paused), and archives only once a build of it succeeds. A teardown cut short by the engine stopping runs again; one that fails leaves the pipeline in place until `weir archive-pipeline` retries it (or `--skip-teardown` archives without). Give it no `passed` constraints: it must be able to run at any time.',
        examples: ['teardown'],
      }),
    ),
  },
  { description: 'A Concourse pipeline: jobs, the resources they use, and how they are shown.' },
);

/** Every definition of the pipeline and task formats; the one source of truth for both. */
export const PipelineModule = Type.Module({
  Pipeline,
  Group,
  Display,
  Resource,
  ResourceType,
  Prototype,
  VarSource,
  Job,
  BuildLogRetention,
  TriggerVar,
  Step,
  GetStep,
  PutStep,
  TaskStep,
  SetPipelineStep,
  LoadVarStep,
  InParallelStep,
  InParallelConfig,
  DoStep,
  TryStep,
  RunStep,
  AcrossVar,
  TaskConfig,
  TaskImageResource,
  TaskInput,
  TaskOutput,
  TaskCache,
  TaskRun,
  ContainerLimits,
});
