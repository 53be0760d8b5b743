import type { Command } from 'commander';
import { describeBuild } from '../build-selection.js';
import type { ApiBuild } from '../client/api-types.js';
import { jobRoute } from '../client/routes.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { followBuild } from '../follow-build.js';
import { parseJobName } from '../names.js';

export function registerTriggerJob(setup: CommandSetup): void {
  engineCommand(setup, 'trigger-job', 'start a build of a job now, with its latest inputs')
    .alias('tj')
    .requiredOption('-j, --job <pipeline/job>', 'the job: my-app/build, or my-app/pr:12/build for an instance')
    .option('-w, --watch', 'print the build as it runs and exit with its outcome (as `weir watch`)', false)
    .option('-t, --timestamps', 'with -w, print the time of every line', false)
    .action((options: { job: string; watch: boolean; timestamps: boolean }, command: Command) =>
      setup.run(async () => {
        const client = connect(command, setup.io);
        const build = await client.post<ApiBuild>(jobRoute(parseJobName(options.job), 'builds'));
        setup.io.out(`started ${describeBuild(build)} (build id ${build.id})\n`);
        return options.watch ? followBuild(client, build.id, setup.io, { timestamps: options.timestamps }) : 0;
      }),
    );
}
