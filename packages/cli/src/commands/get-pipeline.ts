import type { Command } from 'commander';
// Statically: names.ts loads yaml at start anyway, and the bundle turns a dynamic import of it into a namespace without stringify.
import { stringify } from 'yaml';
import type { ApiPipelineWithConfig } from '../client/api-types.js';
import { pipelineRoute } from '../client/routes.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { parsePipelineName } from '../names.js';

export function registerGetPipeline(setup: CommandSetup): void {
  engineCommand(setup, 'get-pipeline', "print a pipeline's configuration as the engine has it")
    .alias('gp')
    .requiredOption('-p, --pipeline <name>', 'the pipeline: my-app, or my-app/pr:12 for an instance')
    .option('--json', 'print JSON instead of YAML', false)
    .action((options: { pipeline: string; json: boolean }, command: Command) =>
      setup.run(async () => {
        const pipeline = await connect(command, setup.io).get<ApiPipelineWithConfig>(pipelineRoute(parsePipelineName(options.pipeline)));
        if (options.json) {
          printJson(setup.io, pipeline.config);
          return 0;
        }
        const { formatConfig } = await import('@weir/engine/pipeline-config');
        // Stored with sorted keys; printed in the order people write pipelines.
        const yaml = stringify(pipeline.config, { lineWidth: 0, aliasDuplicateObjects: false });
        setup.io.out(formatConfig(yaml).text ?? yaml);
        return 0;
      }),
    );
}
