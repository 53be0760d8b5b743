import type { Command } from 'commander';
import type { ApiJob } from '../client/api-types.js';
import { pipelineRoute } from '../client/routes.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { parsePipelineName } from '../names.js';
import { renderJobsTable } from '../render/listings.js';
import { palette } from '../render/palette.js';

export function registerJobs(setup: CommandSetup): void {
  engineCommand(setup, 'jobs', "list a pipeline's jobs with their latest and next builds")
    .alias('js')
    .requiredOption('-p, --pipeline <name>', 'the pipeline: my-app, or my-app/pr:12 for an instance')
    .option('--json', "print the API's JSON instead of a table", false)
    .action((options: { pipeline: string; json: boolean }, command: Command) =>
      setup.run(async () => {
        const jobs = await connect(command, setup.io).get<ApiJob[]>(pipelineRoute(parsePipelineName(options.pipeline), 'jobs'));
        if (options.json) printJson(setup.io, jobs);
        else setup.io.out(renderJobsTable(jobs, palette(setup.io.color)));
        return 0;
      }),
    );
}
