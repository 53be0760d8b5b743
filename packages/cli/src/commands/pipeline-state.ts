import type { Command } from 'commander';
import type { ApiPipeline } from '../client/api-types.js';
import { pipelineRoute } from '../client/routes.js';
import type { WeirClient } from '../client/weir-client.js';
import { confirm } from '../confirm.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { formatPipelineName, parsePipelineName, type PipelineName } from '../names.js';

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

  const destructive = [
    {
      name: 'archive-pipeline',
      alias: 'ap',
      description: 'pause a pipeline for good and hide it; set it again to bring it back',
      question: (name: string) => `archive pipeline ${name}? (if it has a teardown_job, that job runs first and deletes what the pipeline created)`,
      verb: 'archiving',
      nothing: 'nothing was archived',
      send: async (client: WeirClient, pipeline: PipelineName, options: { skipTeardown?: boolean }): Promise<string> => {
        const base = pipelineRoute(pipeline, 'archive');
        const answer = await client.post<ApiPipeline>(options.skipTeardown ? { ...base, query: { ...base.query, skip_teardown: 'true' } } : base);
        const name = formatPipelineName(pipeline);
        if (answer.archived) return `archived pipeline ${name}`;
        const build = answer.retiring?.teardown_build_id;
        return `tearing down pipeline ${name}: its teardown job runs first (build id ${build ?? '?'}), and it is archived once that succeeds; --skip-teardown archives it at once`;
      },
    },
    {
      name: 'destroy-pipeline',
      alias: 'dp',
      description: 'delete a pipeline with its builds, logs and versions',
      question: (name: string) => `destroy pipeline ${name} with all its builds, build logs and versions?`,
      verb: 'destroying',
      nothing: 'nothing was destroyed',
      send: async (client: WeirClient, pipeline: PipelineName): Promise<string> => {
        await client.delete(pipelineRoute(pipeline));
        return `destroyed pipeline ${formatPipelineName(pipeline)}`;
      },
    },
  ];
  for (const command of destructive) {
    const registered = engineCommand(setup, command.name, command.description)
      .alias(command.alias)
      .requiredOption(...PIPELINE_FLAG)
      .option('-n, --non-interactive', 'go ahead without asking for a confirmation', false);
    if (command.name === 'archive-pipeline') registered.option('--skip-teardown', 'archive at once, without running the pipeline\'s teardown_job first', false);
    registered.action((options: { pipeline: string; nonInteractive: boolean; skipTeardown?: boolean }, self: Command) =>
        setup.run(async () => {
          const pipeline = parsePipelineName(options.pipeline);
          const name = formatPipelineName(pipeline);
          const client = connect(self, io);
          // A typo should say "no such pipeline", not ask a question about it first.
          await client.get<ApiPipeline>(pipelineRoute(pipeline));
          if (!options.nonInteractive && !(await confirm(io, command.question(name), `not ${command.verb} pipeline ${name}`))) {
            io.err(`bailing out; ${command.nothing}\n`);
            return 1;
          }
          io.out(`${await command.send(client, pipeline, { skipTeardown: options.skipTeardown === true })}\n`);
          return 0;
        }),
      );
  }
}
