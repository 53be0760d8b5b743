import type { Command } from 'commander';
import type { ApiPipeline } from '../client/api-types.js';
import { route } from '../client/routes.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { renderPipelinesTable } from '../render/listings.js';
import { palette } from '../render/palette.js';

export function registerPipelines(setup: CommandSetup): void {
  engineCommand(setup, 'pipelines', 'list the pipelines')
    .alias('ps')
    .option('-a, --all', 'include archived pipelines', false)
    .option('--json', "print the API's JSON instead of a table", false)
    .action((options: { all: boolean; json: boolean }, command: Command) =>
      setup.run(async () => {
        const pipelines = await connect(command, setup.io).get<ApiPipeline[]>(route('/pipelines', options.all ? { include_archived: 'true' } : {}));
        if (options.json) printJson(setup.io, pipelines);
        else setup.io.out(renderPipelinesTable(pipelines, palette(setup.io.color), { archivedColumn: options.all }));
        return 0;
      }),
    );
}
