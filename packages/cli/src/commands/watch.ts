import type { Command } from 'commander';
import { selectBuild } from '../build-selection.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { followBuild } from '../follow-build.js';

export function registerWatch(setup: CommandSetup): void {
  engineCommand(setup, 'watch', "print a build's log as it runs; exit 0 succeeded, 1 failed, 2 errored, 3 aborted")
    .alias('w')
    .option('-b, --build <id|name>', "the build's id; with -j, its name in the job (3, or 3.1 for a rerun)")
    .option('-j, --job <pipeline/job>', "the job whose latest build (or, with -b, whose named build) to watch")
    .option('-t, --timestamps', 'print the time of every line', false)
    .action((options: { build?: string; job?: string; timestamps: boolean }, command: Command) =>
      setup.run(async () => {
        const client = connect(command, setup.io);
        const build = await selectBuild(client, options, 'weir watch');
        return followBuild(client, build.id, setup.io, { timestamps: options.timestamps });
      }),
    );
}
