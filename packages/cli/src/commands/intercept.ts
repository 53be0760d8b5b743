import type { Command } from 'commander';
import { parseBuildId, selectBuild } from '../build-selection.js';
import { CliError } from '../cli-error.js';
import type { ApiJob } from '../client/api-types.js';
import { buildRoute, jobRoute, route } from '../client/routes.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import type { CliIo } from '../io.js';
import { parseJobName } from '../names.js';

/** A task's container as GET /containers lists it. */
interface ApiContainer {
  build_id: number;
  build_name: string;
  pipeline: string | null;
  job: string | null;
  step: string;
  name: string;
  state: 'running' | 'exited';
  kept_until: string | null;
}

interface InterceptOptions {
  job?: string;
  build?: string;
  step?: string;
}

/** What a container's program reads and writes: the process's own streams, as bytes. */
export interface InterceptStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** What an image without a login shell of its own is sure to have. */
const DEFAULT_COMMAND = ['sh'];

export function registerIntercept(setup: CommandSetup, streams: InterceptStreams = process): void {
  const { io } = setup;
  engineCommand(setup, 'intercept', 'run a shell (or a command) in the container of a running task, or of a failed build\'s task')
    .alias('hijack')
    .option('-j, --job <pipeline/job>', 'the job whose containers to look at (its running builds, and its last failed one)')
    .option('-b, --build <id|name>', 'the build\'s id; with -j, its name in the job')
    .option('-s, --step <name>', 'the task step\'s name')
    .argument('[command...]', 'the program and its arguments (after --); default sh')
    .addHelpText('after', '\nExample: weir intercept -j app/unit -s test -- cat /etc/os-release')
    .action((args: string[], options: InterceptOptions, command: Command) =>
      setup.run(async () => {
        const client = connect(command, io);
        const candidates = (await listContainers(client, options)).filter((container) => options.step === undefined || container.step === options.step);
        const container = await chooseContainer(candidates, options, io);
        const argv = args.length > 0 ? args : DEFAULT_COMMAND;
        const tty = streams.stdin.isTTY && streams.stdout.isTTY ? { rows: streams.stdout.rows || 24, cols: streams.stdout.columns || 80, ...termOf(io) } : undefined;
        const session = await client.post<{ path: string }>(buildRoute(container.build_id, 'containers', container.name, 'intercept'), { argv, ...(tty && { tty }) });
        const { runInterceptSession } = await import('../intercept-session.js');
        return runInterceptSession(client.url, session.path, streams, tty !== undefined);
      }),
    );
}

async function listContainers(client: ReturnType<typeof connect>, options: InterceptOptions): Promise<ApiContainer[]> {
  if (options.build !== undefined) {
    const build = options.job === undefined ? { id: parseBuildId(options.build) } : await selectBuild(client, options, 'weir intercept');
    return client.getWithToken<ApiContainer[]>(route('/containers', { build_id: String(build.id) }));
  }
  if (options.job === undefined) {
    throw new CliError('weir intercept needs a job or a build', 'name the job with -j pipeline/job (and a build with -b), or a build by its id with -b ID');
  }
  const job = await client.get<ApiJob>(jobRoute(parseJobName(options.job)));
  return client.getWithToken<ApiContainer[]>(route('/containers', { job_id: String(job.id) }));
}

/** The one container that matches; several are listed for the user to pick from, at a terminal. */
async function chooseContainer(candidates: ApiContainer[], options: InterceptOptions, io: CliIo): Promise<ApiContainer> {
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new CliError(
      `no task container matches${options.step === undefined ? '' : ` step ${JSON.stringify(options.step)}`}`,
      'containers exist for running tasks, and for a failed build\'s tasks until the job\'s next build ends (or the engine\'s --keep-failed-containers limits); a succeeded build keeps none',
    );
  }
  const lines = candidates.map((container, index) => `${index + 1}: ${describeContainer(container)}`);
  if (!io.ask) {
    throw new CliError(`${candidates.length} task containers match:\n  ${lines.join('\n  ')}`, 'choose one with -b (the build) and -s (the step)');
  }
  io.err(`${lines.join('\n')}\n`);
  const answer = (await io.ask('choose a container: ')).trim();
  const index = /^[0-9]+$/.test(answer) ? Number(answer) - 1 : -1;
  const chosen = candidates[index];
  if (chosen === undefined) throw new CliError(`${JSON.stringify(answer)} is not one of the numbers listed`, 'run the command again and type a number from the list');
  return chosen;
}

function describeContainer(container: ApiContainer): string {
  const build = container.pipeline === null || container.job === null ? `build ${container.build_id}` : `${container.pipeline}/${container.job} #${container.build_name}`;
  const state = container.state === 'running' ? 'running' : container.kept_until === null ? 'ended' : `ended, kept until ${container.kept_until}`;
  return `${build}, step ${container.step} (${state})`;
}

function termOf(io: CliIo): { term?: string } {
  const term = (io.env ?? process.env).TERM;
  return term !== undefined && /^[A-Za-z0-9._+-]{1,64}$/.test(term) ? { term } : {};
}
