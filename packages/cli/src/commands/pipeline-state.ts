import type { Command } from 'commander';
import type { ApiPipeline } from '../client/api-types.js';
import { pipelineRoute } from '../client/routes.js';
import { confirm } from '../confirm.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { formatPipelineName, parsePipelineName } from '../names.js';

const PIPELINE_FLAG = ['-p, --pipeline <name>', 'the pipeline: my-app, or my-app/pr:12 for an instance'] as const;

/** pause-pipeline, unpause-pipeline, archive-pipeline and destroy-pipeline. */
export function registerPipelineState(setup: CommandSetup): void {
  const { io } = setup;
  for (const [name, alias, action, past, description] of [
    ['pause-pipeline', 'pp', 'pause', 'paused', 'stop scheduling new builds of a pipeline (running ones go on)'],
    ['unpause-pipeline', undefined, 'unpause', 'unpaused', 'schedule builds of a paused pipeline again'],
  ] as const) {
    const command = engineCommand(setup, name, description);
    if (alias) command.alias(alias);
    command.requiredOption(...PIPELINE_FLAG).action((options: { pipeline: string }, self: Command) =>
      setup.run(async () => {
        const pipeline = parsePipelineName(options.pipeline);
        await connect(self, io).post<ApiPipeline>(pipelineRoute(pipeline, action));
        io.out(`${past} pipeline ${formatPipelineName(pipeline)}\n`);
        return 0;
      }),
    );
  }

  engineCommand(setup, 'archive-pipeline', 'pause a pipeline for good and hide it; set it again to bring it back')
    .alias('ap')
    .requiredOption(...PIPELINE_FLAG)
    .option('-n, --non-interactive', 'archive without asking for a confirmation', false)
    .action((options: { pipeline: string; nonInteractive: boolean }, self: Command) =>
      setup.run(async () => {
        const pipeline = parsePipelineName(options.pipeline);
        const name = formatPipelineName(pipeline);
        const client = connect(self, io);
        await client.get<ApiPipeline>(pipelineRoute(pipeline));
        if (!options.nonInteractive && !(await confirm(io, `archive pipeline ${name}?`, `not archiving pipeline ${name}`))) {
          io.err('bailing out; nothing was archived\n');
          return 1;
        }
        await client.post<ApiPipeline>(pipelineRoute(pipeline, 'archive'));
        io.out(`archived pipeline ${name}\n`);
        return 0;
      }),
    );

  engineCommand(setup, 'destroy-pipeline', 'delete a pipeline with its builds, logs and versions')
    .alias('dp')
    .requiredOption(...PIPELINE_FLAG)
    .option('-n, --non-interactive', 'destroy without asking for a confirmation', false)
    .action((options: { pipeline: string; nonInteractive: boolean }, self: Command) =>
      setup.run(async () => {
        const pipeline = parsePipelineName(options.pipeline);
        const name = formatPipelineName(pipeline);
        const client = connect(self, io);
        // A typo should say "no such pipeline", not ask a question about it first.
        await client.get<ApiPipeline>(pipelineRoute(pipeline));
        const question = `destroy pipeline ${name} with all its builds, build logs and versions?`;
        if (!options.nonInteractive && !(await confirm(io, question, `not destroying pipeline ${name}`))) {
          io.err('bailing out; nothing was destroyed\n');
          return 1;
        }
        await client.delete(pipelineRoute(pipeline));
        io.out(`destroyed pipeline ${name}\n`);
        return 0;
      }),
    );
}
