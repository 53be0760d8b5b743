import { Type } from '@sinclair/typebox';
import { Duration, FreeForm, Params, Tags, Version } from './common.js';

// Things a pipeline declares once and jobs then use by name: resources, the
// types that implement them, prototypes, and the sources `((vars))` come from.

const checkEvery = Duration(
  'How often to look for new versions, e.g. `10m`, or `never` to stop periodic checks (webhooks and manual checks still work). Defaults to one minute unless the server is configured otherwise.',
);

export const Resource = Type.Object(
  {
    name: Type.String({ description: 'Name of the resource, used by `get`, `put` and `passed`.' }),
    type: Type.String({
      description: 'Resource type implementing it: a built-in type such as `git`, or one declared under `resource_types`.',
    }),
    source: Type.Optional(
      FreeForm('Where the resource lives and how to reach it, as defined by the resource type (URIs, credentials...).'),
    ),
    old_name: Type.Optional(
      Type.String({
        description: 'Former name of the resource. Set it once when renaming so its version history is kept.',
      }),
    ),
    icon: Type.Optional(
      Type.String({ description: 'Material Design icon shown for the resource in the UI, e.g. `github` or `docker`.' }),
    ),
    version: Type.Optional(
      Version('Pin the resource to this version, as if every `get` of it set `version` to it. Unpinned when omitted.'),
    ),
    check_every: Type.Optional(checkEvery),
    check_timeout: Type.Optional(Duration('How long a check may run before it is stopped, e.g. `5m`. Defaults to one hour.')),
    expose_build_created_by: Type.Optional(
      Type.Boolean({
        description:
          'Make the name of the user who started the build available to this resource\'s `put` steps as `BUILD_CREATED_BY`. Defaults to false.',
      }),
    ),
    tags: Type.Optional(Tags('Check, fetch and push only on workers that advertise every one of these tags.')),
    public: Type.Optional(
      Type.Boolean({
        description:
          'Let anyone who can see the pipeline see the metadata of the resource\'s versions. Defaults to false.',
      }),
    ),
    webhook_token: Type.Optional(
      Type.String({
        description:
          'Secret that lets an external service trigger a check of this resource through the webhook endpoint instead of waiting for the next interval.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'An external thing the pipeline watches, fetches from or pushes to, such as a git repository or an image.',
  },
);

export const ResourceType = Type.Object(
  {
    name: Type.String({ description: 'Name resources and image resources use in their `type` field.' }),
    type: Type.String({ description: 'Resource type used to fetch this type\'s image, usually `registry-image`.' }),
    source: FreeForm('Where to fetch the resource type\'s image from, e.g. `repository` and `tag`.'),
    defaults: Type.Optional(
      FreeForm('Default `source` settings for every resource of this type; a resource\'s own `source` wins on conflicts.'),
    ),
    privileged: Type.Optional(
      Type.Boolean({
        description: 'Run checks, fetches and pushes of this type with elevated privileges. Defaults to false.',
      }),
    ),
    params: Type.Optional(Params('Parameters used when fetching the type\'s image.')),
    check_every: Type.Optional(
      Duration('How often to look for new versions of the type\'s image, e.g. `1h`, or `never`.'),
    ),
    tags: Type.Optional(Tags('Fetch the type\'s image only on workers that advertise every one of these tags.')),
  },
  {
    additionalProperties: false,
    description: 'A custom resource type: a container image implementing the check, in and out scripts.',
  },
);

export const Prototype = Type.Object(
  {
    name: Type.String({ description: 'Name `run` steps use in their `type` field.' }),
    type: Type.String({ description: 'Resource type used to fetch the prototype\'s image, usually `registry-image`.' }),
    source: Type.Optional(FreeForm('Where to fetch the prototype\'s image from.')),
    defaults: Type.Optional(FreeForm('Default settings, overridden by those given where the prototype is used.')),
    privileged: Type.Optional(
      Type.Boolean({ description: 'Run the prototype with elevated privileges. Defaults to false.' }),
    ),
    params: Type.Optional(Params('Parameters used when fetching the prototype\'s image.')),
    check_every: Type.Optional(Duration('How often to look for new versions of the prototype\'s image, or `never`.')),
    tags: Type.Optional(Tags('Fetch the prototype\'s image only on workers that advertise every one of these tags.')),
  },
  {
    additionalProperties: false,
    description: 'A prototype for the experimental `run` step: an image that answers messages. Declared like a resource type.',
  },
);

export const VarSource = Type.Object(
  {
    name: Type.String({ description: 'Name used as the prefix of its vars: `((name:path))`.' }),
    type: Type.String({ description: 'Kind of credential manager, e.g. `vault` or `dummy`.' }),
    config: FreeForm('Settings for that credential manager; their shape depends on `type`.'),
  },
  {
    additionalProperties: false,
    description: 'A named source of `((vars))` for this pipeline, used alongside the server\'s own credential manager.',
  },
);
