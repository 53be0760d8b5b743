import { Type } from '@sinclair/typebox';
import { Duration, FreeForm, Params, StringList, Version } from './common.js';

// The task config: what a `task` step runs, written inline under `config:` or
// in a file of its own (that file is validated against the task schema alone).

export const ContainerLimits = Type.Object(
  {
    cpu: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'CPU shares for the container, weighed against the shares of the other containers on the same worker. 0 means no limit.',
      }),
    ),
    memory: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 0 }),
          Type.String({ pattern: '^[0-9]+([KMGkmg][Ii]?)?[Bb]?$' }),
        ],
        {
          description:
            'Memory ceiling for the container: a number of bytes, or a size with a unit such as `512MB` or `2GB`. 0 means no limit.',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'CPU and memory limits for the task container. When set, they take precedence over the defaults configured on the server.',
  },
);

export const TaskImageResource = Type.Object(
  {
    type: Type.String({
      description: 'Resource type that fetches the image, usually `registry-image`.',
    }),
    source: FreeForm('Configuration for that resource type, e.g. `repository` and `tag`.'),
    params: Type.Optional(Params('Parameters passed to the resource when the image is fetched.')),
    version: Type.Optional(
      Version('Pin the image to this exact version. Without it the latest version is checked for and used.'),
    ),
  },
  {
    additionalProperties: false,
    description:
      'An unnamed resource that supplies the container image. It is checked for its latest version and fetched just before the task runs.',
  },
);

export const TaskInput = Type.Object(
  {
    name: Type.String({
      description:
        'Name of the artifact to receive, as produced earlier in the plan by a `get`, a `put` or another task output.',
    }),
    path: Type.Optional(
      Type.String({
        description:
          'Where the artifact is placed, relative to the working directory unless absolute. Defaults to the input name.',
      }),
    ),
    optional: Type.Optional(
      Type.Boolean({
        description: 'If true the task runs even when this artifact is missing. Defaults to false.',
      }),
    ),
  },
  { additionalProperties: false, description: 'An artifact the task reads.' },
);

export const TaskOutput = Type.Object(
  {
    name: Type.String({
      description: 'Name under which the directory is made available to the rest of the plan.',
    }),
    path: Type.Optional(
      Type.String({
        description:
          'Directory the output is collected from, relative to the working directory unless absolute. Defaults to the output name.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A directory, created empty before the task starts, whose content the task hands on to later steps.',
  },
);

export const TaskCache = Type.Object(
  {
    path: Type.String({
      description: 'Directory to keep between runs, relative to the working directory.',
    }),
    ttl: Type.Optional(
      Duration('Concourse drops the cache once it has gone unused this long, e.g. `24h` (at least `1s`). weir checks the value but does not expire caches by age.'),
    ),
  },
  {
    additionalProperties: false,
    description:
      'A directory kept between runs of this task on the same worker. It starts empty, and the task must work whether or not it is warm.',
  },
);

export const TaskRun = Type.Object(
  {
    path: Type.String({
      description:
        'The program to execute: a command looked up on PATH, a path relative to the working directory (or to `dir`), or an absolute path.',
    }),
    args: Type.Optional(StringList('Arguments passed to the program.')),
    dir: Type.Optional(
      Type.String({
        description: 'Working directory for the program, relative to the task\'s initial working directory.',
      }),
    ),
    user: Type.Optional(
      Type.String({
        description: 'User to run as. Defaults to the user set by the image (root on Linux if the image sets none).',
      }),
    ),
  },
  { additionalProperties: false, description: 'The command the task executes.' },
);

export const TaskConfig = Type.Object(
  {
    platform: Type.String({
      description: 'Platform the task needs, which picks the pool of workers: `linux`, `darwin` or `windows`.',
    }),
    image_resource: Type.Optional(
      Type.Ref('TaskImageResource', {
        description:
          'The container image to run in, fetched as an anonymous resource. A task step\'s `image` overrides it.',
      }),
    ),
    rootfs_uri: Type.Optional(
      Type.String({
        description:
          'Deprecated in Concourse: a root filesystem URI for the worker runtime, used when neither the step\'s `image` nor `image_resource` is given. weir runs `docker://[registry]/repository[#tag]` as the registry-image `image_resource` it names (plain HTTP for a registry on 127.0.0.1 or localhost, as Docker does) and refuses `raw:///path` and other forms with `task-rootfs-uri-unsupported`. Prefer `image_resource`.',
      }),
    ),
    inputs: Type.Optional(
      Type.Array(Type.Ref('TaskInput'), {
        description: 'Artifacts placed in the working directory before the task starts. A missing required input is an error.',
      }),
    ),
    outputs: Type.Optional(
      Type.Array(Type.Ref('TaskOutput'), {
        description: 'Directories the task produces for later steps in the plan.',
      }),
    ),
    caches: Type.Optional(
      Type.Array(Type.Ref('TaskCache'), {
        description: 'Directories kept between runs of this task on the same worker.',
      }),
    ),
    params: Type.Optional(
      FreeForm(
        'Environment variables for the task. A key with no value declares a variable the pipeline is expected to supply through the step\'s `params`.',
      ),
    ),
    run: Type.Ref('TaskRun', { description: 'The command to execute in the container.' }),
    container_limits: Type.Optional(
      Type.Ref('ContainerLimits', { description: 'CPU and memory limits for the task container.' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A task: a container image, the artifacts going in and out, and the command to run.',
  },
);
