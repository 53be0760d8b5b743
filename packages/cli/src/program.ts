import { Command, CommanderError } from 'commander';
import { CliError, renderCliError } from './cli-error.js';
import { registerBuildActions } from './commands/build-actions.js';
import { registerBuilds } from './commands/builds.js';
import { registerCheckResource } from './commands/check-resource.js';
import { registerExplain } from './commands/explain.js';
import { registerExecute } from './commands/execute.js';
import { registerFormat } from './commands/format.js';
import { registerGetPipeline } from './commands/get-pipeline.js';
import { registerIntercept } from './commands/intercept.js';
import { registerJobState } from './commands/job-state.js';
import { registerJobs } from './commands/jobs.js';
import { registerPinResource } from './commands/pin-resource.js';
import { registerPipelineState } from './commands/pipeline-state.js';
import { registerPipelines } from './commands/pipelines.js';
import { registerResourceVersionState } from './commands/resource-version-state.js';
import { registerSecrets } from './commands/secrets.js';
import { registerSetPipeline } from './commands/set-pipeline.js';
import { registerTriggerJob } from './commands/trigger-job.js';
import { registerUp } from './commands/up.js';
import { registerValidate } from './commands/validate.js';
import { registerVersions } from './commands/versions.js';
import { registerWatch } from './commands/watch.js';
import { addEngineOptions, type CommandSetup } from './engine-command.js';
import type { CliIo } from './io.js';
export type { CliIo } from './io.js';
import { WEIR_VERSION } from './version.js';

/**
 * Every command, in the order `weir help` lists them. A command is one file under commands/
 * exporting a register function, plus its line here. Its options are declared up front (for
 * help), and what only it needs (the pipeline loader, the engine, a big library) is imported
 * inside its action, so that no command pays for another's modules.
 */
const COMMANDS: ReadonlyArray<(setup: CommandSetup) => void> = [
  registerValidate,
  registerFormat,
  registerExecute,
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
  registerIntercept,
  registerCheckResource,
  registerVersions,
  registerPinResource,
  registerResourceVersionState,
  registerExplain,
  registerSecrets,
];

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

  for (const register of COMMANDS) register(setup);
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
