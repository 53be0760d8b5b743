import { Type } from '@sinclair/typebox';
import { StringList } from './common.js';

export const BuildLogRetention = Type.Object(
  {
    builds: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Keep the logs of this many of the most recent builds. 0 or unset keeps all of them.',
      }),
    ),
    days: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Delete the logs of builds older than this many days. 0 or unset keeps them regardless of age.',
      }),
    ),
    minimum_succeeded_builds: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Always keep the logs of at least this many of the latest succeeded builds, even when `builds` or `days` would delete them. Needs `builds` to be set.',
      }),
    ),
  },
  { additionalProperties: false, description: 'When the logs of old builds of the job are deleted.' },
);

export const TriggerVar = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The var\'s name: steps read it as `((.:name))`, and `weir trigger-job -v name=value` sets it.' }),
    description: Type.Optional(Type.String({ description: 'What the value means, shown where a person starts the job.' })),
    default: Type.Optional(
      Type.String({ description: 'The value when none is given, and in builds the scheduler starts. Without one, a value must be given to start the job by hand.' }),
    ),
    values: Type.Optional(
      Type.Array(Type.String(), { minItems: 1, uniqueItems: true, description: 'The only values allowed, e.g. `[on, off]`. Any text when unset.' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A value a person gives when starting the job (a weir extension).',
    examples: [{ name: 'mode', description: 'turn the maintenance page on or off', default: 'off', values: ['on', 'off'] }],
  },
);

function jobHook(description: string) {
  return Type.Optional(Type.Ref('Step', { description }));
}

export const Job = Type.Object(
  {
    name: Type.String({ description: 'Name of the job, shown in the UI and referred to by `passed` and groups.' }),
    plan: Type.Array(Type.Ref('Step'), {
      description: 'The steps a build of the job runs, in order. The build stops at the first step that fails.',
    }),
    old_name: Type.Optional(
      Type.String({ description: 'Former name of the job. Set it once when renaming so its build history is kept.' }),
    ),
    serial: Type.Optional(
      Type.Boolean({
        description: 'Run builds one at a time, in the order they were created. Defaults to false.',
      }),
    ),
    serial_groups: Type.Optional(
      StringList(
        'Labels shared with other jobs: builds of jobs with a label in common never run at the same time. Implies one build at a time for this job.',
      ),
    ),
    max_in_flight: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Most builds of the job that may run at the same time. Unlimited by default.',
      }),
    ),
    build_log_retention: Type.Optional(
      Type.Ref('BuildLogRetention', { description: 'When the logs of old builds are deleted. All are kept by default.' }),
    ),
    build_logs_to_retain: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Deprecated: keep the logs of this many recent builds. Use `build_log_retention.builds` instead.',
      }),
    ),
    public: Type.Optional(
      Type.Boolean({
        description: 'Let anyone who can see the pipeline read the job\'s build logs. Defaults to false.',
      }),
    ),
    disable_manual_trigger: Type.Optional(
      Type.Boolean({
        description: 'Forbid starting builds by hand, from the UI or the CLI. Defaults to false.',
      }),
    ),
    disable_reruns: Type.Optional(
      Type.Boolean({
        description: 'Forbid rerunning this job\'s builds. Defaults to false.',
      }),
    ),
    interruptible: Type.Optional(
      Type.Boolean({
        description:
          'Let a worker that is shutting down stop without waiting for this job\'s builds running on it. Defaults to false.',
      }),
    ),
    trigger_vars: Type.Optional(
      Type.Array(Type.Ref('TriggerVar'), {
        description:
          'A weir extension for one-click jobs: values a person gives when starting a build by hand (`weir trigger-job -j p/maintenance -v mode=on`), each read by the steps as the local var `((.:name))`, with a default and the allowed values. The build keeps the values it ran with; a rerun uses them again.',
      }),
    ),
    on_success: jobHook('Step to run after a build of the job succeeds.'),
    on_failure: jobHook('Step to run after a build of the job fails.'),
    on_error: jobHook('Step to run after a build of the job errors.'),
    on_abort: jobHook('Step to run after a build of the job is aborted.'),
    ensure: jobHook('Step to run after every build of the job, whatever its outcome.'),
  },
  {
    additionalProperties: false,
    description: 'A job: a plan of steps, run as builds when its triggering inputs change or when started by hand.',
  },
);
