import type { Command } from 'commander';
import { engineCommand, type CommandSetup } from '../engine-command.js';
import { addVarOptions } from '../var-options.js';
import type { SetPipelineOptions } from './set-pipeline-action.js';

export function registerSetPipeline(setup: CommandSetup): void {
  addVarOptions(
    engineCommand(setup, 'set-pipeline', 'create or update a pipeline from a YAML file, after showing what changes')
      .alias('sp')
      .requiredOption('-p, --pipeline <name>', 'the pipeline to set: my-app, or my-app/pr:12 for an instance')
      .requiredOption('-c, --config <file>', 'the pipeline YAML file')
      .option('-n, --non-interactive', 'apply without asking for a confirmation', false),
  ).action((options: SetPipelineOptions, command: Command) =>
    setup.run(async () => {
      // The pipeline loader checks the file first; loaded only by this command.
      const { setPipeline } = await import('./set-pipeline-action.js');
      return setPipeline(options, command, setup.io);
    }),
  );
}
