import { Type, type TProperties } from '@sinclair/typebox';
import { KIND_KEYS_MARKER } from './emit.js';
import { Duration, FreeForm, Params, StringEnum, StringList, StringMap, Tags, Version } from './common.js';

// The build plan. A step is an object whose kind is told by which key it
// carries (`get:`, `task:`...), next to modifiers and hooks any kind accepts.

/** The keys that decide a step's kind, in the order the format documents them. */
export const STEP_KIND_KEYS = [
  'get',
  'put',
  'task',
  'set_pipeline',
  'load_var',
  'in_parallel',
  'do',
  'try',
  'run',
] as const;

export type StepKind = (typeof STEP_KIND_KEYS)[number];

/** The schema definition that describes each step kind. */
export const STEP_KIND_DEFINITIONS = {
  get: 'GetStep',
  put: 'PutStep',
  task: 'TaskStep',
  set_pipeline: 'SetPipelineStep',
  load_var: 'LoadVarStep',
  in_parallel: 'InParallelStep',
  do: 'DoStep',
  try: 'TryStep',
  run: 'RunStep',
} as const satisfies Record<StepKind, string>;

function hook(description: string) {
  return Type.Optional(Type.Ref('Step', { description }));
}

// Concourse parses these around whichever step kind they sit next to, so every
// kind accepts all of them; keeping them in one place keeps the kinds in step.
const modifiersAndHooks = {
  timeout: Type.Optional(
    Duration(
      'Give up on the step after this long (e.g. `30m`, `1h30m`); it is interrupted and the build fails. With `attempts`, each attempt gets the full time.',
    ),
  ),
  attempts: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Run the step up to this many times in total until it succeeds; both failures and errors are retried. Defaults to 1.',
    }),
  ),
  tags: Type.Optional(
    Tags('Run the step only on workers that advertise every one of these tags. Defaults to no tags.'),
  ),
  across: Type.Optional(
    Type.Array(Type.Ref('AcrossVar'), {
      description:
        'Run the step once for every combination of the listed vars\' values, each run seeing its values as local vars `((.:name))`. Experimental in Concourse.',
    }),
  ),
  fail_fast: Type.Optional(
    Type.Boolean({
      description:
        'With `across`: stop at the first failing combination, interrupting running ones and skipping pending ones. Defaults to false.',
    }),
  ),
  on_success: hook('Step to run after this one succeeds.'),
  on_failure: hook('Step to run after this one fails. The failure stands even if the hook succeeds.'),
  on_error: hook(
    'Step to run after this one errors: anything other than failing or being aborted, such as a timeout or a broken worker.',
  ),
  on_abort: hook('Step to run if the build is aborted while this step is running.'),
  ensure: hook(
    'Step to run after this one whatever its outcome, including abort. If the ensured step fails, so does this step.',
  ),
};

/**
 * One step kind: its own keys plus every modifier and hook, closed to anything
 * else so that a misspelt key is reported against the kind that was written.
 */
function stepKind<Properties extends TProperties>(description: string, properties: Properties) {
  return Type.Object(
    { ...properties, ...modifiersAndHooks },
    {
      additionalProperties: false,
      // `fail_fast` belongs to `across`; on its own Concourse rejects it.
      dependencies: { fail_fast: ['across'] },
      description,
    },
  );
}

export const GetStep = stepKind(
  'Fetch a version of a resource and register it as an artifact for the rest of the plan.',
  {
    get: Type.String({
      description:
        'Name the fetched artifact gets in the plan; also the resource to fetch unless `resource` says otherwise.',
    }),
    resource: Type.Optional(
      Type.String({ description: 'Resource to fetch, when it differs from the artifact name. Defaults to `get`.' }),
    ),
    passed: Type.Optional(
      StringList(
        'Only consider versions that went through every one of these jobs (each must also use the resource). This also links the jobs in the pipeline graph.',
      ),
    ),
    params: Type.Optional(Params('Parameters for the resource type\'s fetch; see the resource type\'s documentation.')),
    trigger: Type.Optional(
      Type.Boolean({
        description:
          'Start a new build of the job when a new version passes the constraints. Defaults to false; a job with no triggering inputs only runs by hand.',
      }),
    ),
    version: Type.Optional(
      Type.Union([StringEnum(['latest', 'every'], 'Which versions to use.'), Version('A specific version to pin.')], {
        description:
          'Which version to use: `latest` (default; versions may be skipped), `every` (each version in turn), or a map pinning one exact version.',
      }),
    ),
  },
);

export const PutStep = stepKind(
  'Push to a resource, then fetch the version it produced so later steps can use it.',
  {
    put: Type.String({
      description:
        'Name of the artifact the implicit fetch registers; also the resource to push to unless `resource` says otherwise.',
    }),
    resource: Type.Optional(
      Type.String({ description: 'Resource to push to, when it differs from the artifact name. Defaults to `put`.' }),
    ),
    inputs: Type.Optional(
      Type.Union(
        [
          StringEnum(['all', 'detect'], 'Which artifacts to provide.'),
          StringList('Exactly these artifacts.'),
        ],
        {
          description:
            'Artifacts given to the push: `all` (default), `detect` (those named by the first path segment of a string in `params`), or an explicit list.',
        },
      ),
    ),
    params: Type.Optional(Params('Parameters for the resource type\'s push; see the resource type\'s documentation.')),
    get_params: Type.Optional(Params('Parameters for the fetch that follows the push.')),
    no_get: Type.Optional(
      Type.Boolean({ description: 'Skip the fetch that normally follows the push. Defaults to false.' }),
    ),
  },
);

export const TaskStep = stepKind(
  'Run a task; its outputs become artifacts for the rest of the plan.',
  {
    task: Type.String({ description: 'Name of the task, shown in the build log and UI.' }),
    config: Type.Optional(
      Type.Ref('TaskConfig', { description: 'The task config written inline. Use either this or `file`.' }),
    ),
    file: Type.Optional(
      Type.String({
        description:
          'Path to a task config file inside an artifact of this plan (`artifact/path/to/task.yml`). Use either this or `config`.',
      }),
    ),
    image: Type.Optional(
      Type.String({
        description: 'Artifact holding the container image to use, overriding the config\'s `image_resource`.',
      }),
    ),
    privileged: Type.Optional(
      Type.Boolean({
        description:
          'Run the container with elevated privileges (real root on Linux). Defaults to false; only use with trusted code.',
      }),
    ),
    vars: Type.Optional(
      FreeForm('Values for the `((vars))` in the task config file named by `file`. Unlike `params`, not environment variables.'),
    ),
    params: Type.Optional(
      FreeForm('Environment variables for the task, overriding the values its config declares.'),
    ),
    container_limits: Type.Optional(
      Type.Ref('ContainerLimits', {
        description: 'CPU and memory limits for the container, overriding those in the task config.',
      }),
    ),
    hermetic: Type.Optional(
      Type.Boolean({
        description:
          'Cut the task off from the network: in weir\'s sandbox it gets a network namespace of its own with only its own loopback (not even the host\'s 127.0.0.1). Defaults to false. A hermetic task that would run on the host (no image) or on the cluster errors instead of running with the network; Concourse honours it only with the containerd runtime.',
      }),
    ),
    claims: Type.Optional(
      Type.Array(
        Type.Object(
          {
            claim: Type.String({
              minLength: 1,
              description:
                'On a cluster (`weir up --task-executor kubernetes`), the name of a PersistentVolumeClaim in the namespace the task\'s pod runs in, e.g. one a `volume-snapshot` restore made with `to_pvc`. On this machine (a task in the sandbox, or without an image), an absolute directory under `--local-path-root`, e.g. the `to` of a local restore, bound at `path`. Give it as a `((var))` to run one pipeline in both places.',
            }),
            path: Type.String({ minLength: 1, description: 'Where the task sees the claim, relative to its working directory.' }),
            read_only: Type.Optional(Type.Boolean({ description: 'Mount it read-only. Defaults to false: a read-write claim is mounted by one build at a time unless its access mode is ReadWriteMany.' })),
          },
          { additionalProperties: false },
        ),
        {
          description:
            'weir extension. Volumes mounted into the task: a PersistentVolumeClaim when the task runs as a pod, the same data as a directory when it runs on this machine. Example: `claims: [{claim: ((staging-db)), path: db, read_only: true}]`.',
          examples: [[{ claim: '((staging-db))', path: 'db', read_only: true }]],
        },
      ),
    ),
    input_mapping: Type.Optional(
      StringMap('Maps the task\'s input names to artifact names in the plan, so a generic task can be reused.'),
    ),
    output_mapping: Type.Optional(
      StringMap('Maps the task\'s output names to the artifact names they are registered under in the plan.'),
    ),
  },
);

export const SetPipelineStep = stepKind(
  'Create or update a pipeline from a config file produced earlier in the plan. The job becomes its parent (not for `self` or the pipeline\'s own name): when a later build of the job succeeds without setting it, or the job is removed, or its pipeline archived, the pipeline is archived (after its `teardown_job`, if it has one), so a job sets every pipeline it still wants in each build, e.g. with `across`. An older build never overwrites what a newer build of the job set.',
  {
    set_pipeline: Type.String({
      description: 'Name of the pipeline to set, or `self` for the pipeline this step belongs to.',
    }),
    file: Type.String({
      description: 'Path to the pipeline config inside an artifact of this plan (`artifact/path/to/pipeline.yml`).',
    }),
    instance_vars: Type.Optional(
      FreeForm(
        'Vars that both fill the config\'s `((vars))` and identify one instance of the pipeline within its instance group.',
      ),
    ),
    vars: Type.Optional(FreeForm('Values for the `((vars))` in the pipeline config; they do not identify the pipeline.')),
    var_files: Type.Optional(
      StringList('Paths to YAML files of vars inside artifacts of this plan; a later file overrides an earlier one.'),
    ),
    team: Type.Optional(
      Type.String({
        description: 'Team to set the pipeline in. Defaults to the current team; only the main team may set another team\'s pipelines.',
      }),
    ),
    expire_after: Type.Optional(
      Duration(
        'weir extension, a safety net for pipelines set per pull request or branch: if no build of this job sets the pipeline again for this long (time the engine was down does not count), weir archives it (running its `teardown_job` first), even when the build that should have let it go never succeeded. Each set renews it, so trigger the job more often than this (e.g. on a `time` resource). Ignored for `self`. Example: `expire_after: 72h`.',
      ),
    ),
  },
);

export const LoadVarStep = stepKind(
  'Read a file produced earlier in the plan into a local var, available to later steps as `((.:name))`.',
  {
    load_var: Type.String({ description: 'Name of the local var to create.' }),
    file: Type.String({ description: 'Path to the file inside an artifact of this plan.' }),
    format: Type.Optional(
      StringEnum(
        ['json', 'yaml', 'yml', 'trim', 'raw'],
        'How to read the file: parse it as `json`/`yaml`/`yml`, take its text with surrounding whitespace removed (`trim`), or as is (`raw`). Guessed from the file extension when unset, falling back to `trim`.',
      ),
    ),
    reveal: Type.Optional(
      Type.Boolean({
        description: 'Allow the value to appear in build logs instead of being redacted. Defaults to false.',
      }),
    ),
  },
);

export const InParallelConfig = Type.Object(
  {
    steps: Type.Array(Type.Ref('Step'), { description: 'The steps to run at the same time.' }),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Most steps running at once. Defaults to no limit: all steps start immediately.',
      }),
    ),
    fail_fast: Type.Optional(
      Type.Boolean({
        description:
          'Stop at the first failing step, interrupting running steps and skipping pending ones. Defaults to false.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Parallel steps with options: a concurrency limit and whether to stop at the first failure.',
  },
);

export const InParallelStep = stepKind(
  'Run steps at the same time. The step fails (or errors) if any of them does.',
  {
    in_parallel: Type.Union([Type.Array(Type.Ref('Step')), Type.Ref('InParallelConfig')], {
      description: 'The steps to run at the same time: a list, or an object with `steps`, `limit` and `fail_fast`.',
    }),
  },
);

export const DoStep = stepKind(
  'Run steps one after another as a single step, e.g. to give them one hook or run them under `try` or `across`.',
  {
    do: Type.Array(Type.Ref('Step'), { description: 'The steps to run in order.' }),
  },
);

export const TryStep = stepKind(
  'Run a step and treat its failure as success, for side effects the build should not depend on.',
  {
    try: Type.Ref('Step', { description: 'The step whose failure is ignored.' }),
  },
);

export const RunStep = stepKind(
  'Send a message to a prototype (Concourse\'s experimental successor to tasks and resource types).',
  {
    run: Type.String({ description: 'The message to send to the prototype, e.g. `build`.' }),
    type: Type.String({ description: 'Name of the prototype, as declared under `prototypes` or built in.' }),
    params: Type.Optional(Params('Parameters for the message; see the prototype\'s documentation.')),
    privileged: Type.Optional(
      Type.Boolean({ description: 'Run the prototype\'s container with elevated privileges. Defaults to false.' }),
    ),
  },
);

export const AcrossVar = Type.Object(
  {
    var: Type.String({
      description: 'Name of the local var, read as `((.:name))` inside the step; each combination gets its own scope.',
    }),
    values: Type.Array(Type.Unknown(), {
      description: 'Values the var takes, often a list loaded earlier with `load_var`.',
    }),
    max_in_flight: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), StringEnum(['all'], 'Every value at once.')], {
        description:
          'How many of this var\'s values run at the same time: a number, or `all`. Defaults to 1. Limits of several vars multiply.',
      }),
    ),
  },
  { additionalProperties: false, description: 'One var of an `across` modifier and the values it iterates over.' },
);

export const Step = Type.Union(
  [
    Type.Ref('GetStep'),
    Type.Ref('PutStep'),
    Type.Ref('TaskStep'),
    Type.Ref('SetPipelineStep'),
    Type.Ref('LoadVarStep'),
    Type.Ref('InParallelStep'),
    Type.Ref('DoStep'),
    Type.Ref('TryStep'),
    Type.Ref('RunStep'),
  ],
  {
    description:
      'One step of a build plan. Its kind is given by the key it carries: `get`, `put`, `task`, `set_pipeline`, `load_var`, `in_parallel`, `do`, `try` or `run`.',
    [KIND_KEYS_MARKER]: STEP_KIND_DEFINITIONS,
  },
);
