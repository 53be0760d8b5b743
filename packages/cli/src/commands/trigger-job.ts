import { Option, type Command } from 'commander';
import { describeBuild } from '../build-selection.js';
import type { ApiBuild } from '../client/api-types.js';
import { jobRoute } from '../client/routes.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { followBuild } from '../follow-build.js';
import { parseJobName } from '../names.js';
import { collect } from '../var-options.js';
import { CliError } from '../cli-error.js';

/** `-v name=value` flags as the API takes them; the engine checks names and values against the job. */
function triggerVarFlags(flags: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new CliError(`-v ${flag} is not name=value`, 'write -v mode=on');
    vars[flag.slice(0, at)] = flag.slice(at + 1);
  }
  return vars;
}

export function registerTriggerJob(setup: CommandSetup): void {
  engineCommand(setup, 'trigger-job', 'start a build of a job now, with its latest inputs')
    .alias('tj')
    .requiredOption('-j, --job <pipeline/job>', 'the job: my-app/build, or my-app/pr:12/build for an instance')
    .option('-w, --watch', 'print the build as it runs and exit with its outcome (as `weir watch`)', false)
    .option('-t, --timestamps', 'with -w, print the time of every line', false)
    .addOption(new Option('-v, --var <name=value>', "a value for one of the job's trigger_vars, read by its steps as ((.:name)) (repeatable)").argParser(collect).default([]))
    .action((options: { job: string; watch: boolean; timestamps: boolean; var: string[] }, command: Command) =>
      setup.run(async () => {
        const vars = triggerVarFlags(options.var);
        const client = connect(command, setup.io);
        const build = await client.post<ApiBuild>(jobRoute(parseJobName(options.job), 'builds'), Object.keys(vars).length > 0 ? { vars } : undefined);
        const values = Object.entries(build.trigger_vars ?? {}).map(([name, value]) => `${name}=${value}`);
        setup.io.out(`started ${describeBuild(build)} (build id ${build.id})${values.length > 0 ? ` with ${values.join(' ')}` : ''}\n`);
        return options.watch ? followBuild(client, build.id, setup.io, { timestamps: options.timestamps }) : 0;
      }),
    );
}
