import type { Command } from 'commander';
import { describeBuild, selectBuild } from '../build-selection.js';
import type { ApiBuild } from '../client/api-types.js';
import { buildRoute } from '../client/routes.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { followBuild } from '../follow-build.js';

const BUILD_FLAG = ['-b, --build <id|name>', "the build's id; with -j, its name in the job (3, or 3.1 for a rerun)"] as const;
const JOB_FLAG = ['-j, --job <pipeline/job>', 'the job of the build named by -b'] as const;

/** abort-build and rerun-build. */
export function registerBuildActions(setup: CommandSetup): void {
  const { io } = setup;
  engineCommand(setup, 'abort-build', 'stop a pending or running build')
    .alias('ab')
    .requiredOption(...BUILD_FLAG)
    .option(...JOB_FLAG)
    .action((options: { build: string; job?: string }, command: Command) =>
      setup.run(async () => {
        const client = connect(command, io);
        const build = await selectBuild(client, options, 'weir abort-build');
        const after = await client.post<ApiBuild>(buildRoute(build.id, 'abort'));
        // A running build stops once its current step has been told to; the answer may come first.
        io.out(after.status === 'aborted' ? `aborted ${describeBuild(after)}\n` : `aborting ${describeBuild(after)}\n`);
        return 0;
      }),
    );

  engineCommand(setup, 'rerun-build', 'run a build again with the same input versions')
    .alias('rb')
    .requiredOption(...BUILD_FLAG)
    .option(...JOB_FLAG)
    .option('-w, --watch', 'print the new build as it runs and exit with its outcome', false)
    .option('-t, --timestamps', 'with -w, print the time of every line', false)
    .action((options: { build: string; job?: string; watch: boolean; timestamps: boolean }, command: Command) =>
      setup.run(async () => {
        const client = connect(command, io);
        const build = await selectBuild(client, options, 'weir rerun-build');
        const rerun = await client.post<ApiBuild>(buildRoute(build.id, 'rerun'));
        io.out(`started ${describeBuild(rerun)} (build id ${rerun.id}), a rerun of ${describeBuild(build)}\n`);
        return options.watch ? followBuild(client, rerun.id, io, { timestamps: options.timestamps }) : 0;
      }),
    );
}
