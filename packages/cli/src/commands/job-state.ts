import type { Command } from 'commander';
import type { ApiJob } from '../client/api-types.js';
import { jobRoute } from '../client/routes.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { formatPipelineName, parseJobName } from '../names.js';

/** pause-job and unpause-job. */
export function registerJobState(setup: CommandSetup): void {
  for (const [name, alias, action, past, description] of [
    ['pause-job', 'pj', 'pause', 'paused', 'stop scheduling new builds of a job (a running one goes on)'],
    ['unpause-job', 'uj', 'unpause', 'unpaused', 'schedule builds of a paused job again'],
  ] as const) {
    engineCommand(setup, name, description)
      .alias(alias)
      .requiredOption('-j, --job <pipeline/job>', 'the job: my-app/build, or my-app/pr:12/build for an instance')
      .action((options: { job: string }, command: Command) =>
        setup.run(async () => {
          const job = parseJobName(options.job);
          await connect(command, setup.io).post<ApiJob>(jobRoute(job, action));
          setup.io.out(`${past} job ${formatPipelineName(job.pipeline)}/${job.job}\n`);
          return 0;
        }),
      );
  }
}
