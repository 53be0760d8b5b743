import { Command, CommanderError, Option } from 'commander';
import { CliError, renderCliError } from './cli-error.js';
import { registerBuildActions } from './commands/build-actions.js';
import { registerBuilds } from './commands/builds.js';
import { registerCheckResource } from './commands/check-resource.js';
import { registerExplain } from './commands/explain.js';
import { formatCommand } from './commands/format.js';
import { registerGetPipeline } from './commands/get-pipeline.js';
import { registerJobState } from './commands/job-state.js';
import { registerJobs } from './commands/jobs.js';
import { registerPinResource } from './commands/pin-resource.js';
import { registerPipelineState } from './commands/pipeline-state.js';
import { registerPipelines } from './commands/pipelines.js';
import { registerResourceVersionState } from './commands/resource-version-state.js';
import { registerSetPipeline } from './commands/set-pipeline.js';
import { registerTriggerJob } from './commands/trigger-job.js';
import { registerUp } from './commands/up.js';
import { validateCommand } from './commands/validate.js';
import { registerVersions } from './commands/versions.js';
import { registerWatch } from './commands/watch.js';
import { addEngineOptions, type CommandSetup } from './engine-command.js';
import type { CliIo } from './io.js';
export type { CliIo } from './io.js';
import { addVarOptions, collect, instanceVarFlags, varFlags, type VarOptions } from './var-options.js';
import { WEIR_VERSION } from './version.js';

/** Runs the weir command line and returns its exit status; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = addEngineOptions(
    new Command()
      .name('weir')
      .description('A Concourse-style workflow engine: pipelines as code, one command to start.')
      .version(WEIR_VERSION, '--version')
      .exitOverride()
      .configureOutput({ writeOut: io.out, writeErr: io.err })
      .showHelpAfterError('(run weir help for usage)')
      // Options before the command are weir's own (--url, --data); after it, the command's.
      .enablePositionalOptions(),
  );
  const setup: CommandSetup = {
    program,
    io,
    run: async (action) => {
      status = await action();
    },
    engineCommands: [],
  };

  addVarOptions(
    program
      .command('validate')
      .description('check pipeline (or, with --task, task config) files and print every problem with its location')
      .argument('<file...>', 'YAML files to check')
      .option('--strict', 'fail on warnings too (unknown top-level keys, identifier style, ...)', false)
      .option('--json', 'print a JSON report instead of compiler-style messages', false)
      .option('--task', 'the files are task configs, not pipelines', false),
  ).action(async (files: string[], options: VarOptions & { strict: boolean; json: boolean; task: boolean }) => {
    const flags = [...(await varFlags(options)), ...instanceVarFlags(options)];
    status = await validateCommand(files, { strict: options.strict, json: options.json, task: options.task, varFlags: flags }, io);
  });

  program
    .command('format')
    .description('rewrite pipeline or task files with keys in a canonical order, keeping comments')
    .argument('<file...>', 'YAML files to format')
    .option('-w, --write', 'replace the files instead of printing the result', false)
    .option('--check', 'print nothing; exit 1 if any file is not formatted', false)
    .action(async (files: string[], options: { write: boolean; check: boolean }) => {
      status = await formatCommand(files, options, io);
    });

  // `-i` is an input here, as in fly; so the var options are declared without `-i`.
  program
    .command('execute')
    .description('run one task file on this host, without a server, with its inputs from local directories')
    .requiredOption('-c, --config <file>', 'the task file')
    .addOption(new Option('-i, --input <name=dir>', 'a directory for an input (repeatable; a single input defaults to the current directory)').argParser(collect).default([]))
    .addOption(new Option('-o, --output <name=dir>', 'copy an output into this directory after the task (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-v, --var <name=value>', 'set a var to a string (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-y, --yaml-var <name=yaml>', 'set a var to a YAML value (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-l, --load-vars-from <file>', 'load vars from a YAML file (repeatable)').argParser(collect).default([]))
    .option('--timeout <duration>', 'stop the task after this long, e.g. 10m')
    .action(async (options: Omit<VarOptions, 'instanceVar'> & { config: string; input: string[]; output: string[]; timeout?: string }) => {
      // Imported only now, with the executor and the engine behind it.
      const { executeCommand } = await import('./commands/execute.js');
      status = await executeCommand(
        { config: options.config, inputs: options.input, outputs: options.output, varFlags: await varFlags(options), ...(options.timeout !== undefined && { timeout: options.timeout }) },
        io,
      );
    });

  for (const register of [
    registerUp,
    registerSetPipeline,
    registerGetPipeline,
    registerPipelines,
    registerPipelineState,
    registerJobs,
    registerJobState,
    registerBuilds,
    registerTriggerJob,
    registerWatch,
    registerBuildActions,
    registerCheckResource,
    registerVersions,
    registerPinResource,
    registerResourceVersionState,
    registerExplain,
  ]) {
    register(setup);
  }
  for (const command of setup.engineCommands) addEngineOptions(command);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (cause) {
    if (cause instanceof CommanderError) return cause.exitCode;
    if (cause instanceof CliError) {
      io.err(renderCliError(cause, io.color));
      return cause.exitStatus;
    }
    throw cause;
  }
  return status;
}
