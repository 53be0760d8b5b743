import type { Command } from 'commander';
import type { ApiExplanation } from '../client/api-types.js';
import { jobRoute } from '../client/routes.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { parseJobName } from '../names.js';
import { renderExplanation } from '../render/explanation.js';
import { palette } from '../render/palette.js';

export function registerExplain(setup: CommandSetup): void {
  engineCommand(setup, 'explain', "show the scheduler's reasons for a job: why it runs, waits or idles")
    .requiredOption('-j, --job <pipeline/job>', 'the job: my-app/build, or my-app/pr:12/build for an instance')
    .option('--json', "print the API's JSON instead", false)
    .action((options: { job: string; json: boolean }, command: Command) =>
      setup.run(async () => {
        const explanation = await connect(command, setup.io).get<ApiExplanation>(jobRoute(parseJobName(options.job), 'explain'));
        if (options.json) printJson(setup.io, explanation);
        else setup.io.out(renderExplanation(explanation, palette(setup.io.color)));
        return 0;
      }),
    );
}
