import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { CommandSetup } from '../engine-command.js';
import { chooseLogFormat, isLogFormat, LOG_FORMATS } from '../log-format.js';

/** `weir up [--data DIR] [--host H] [--port N] [--pipelines DIR]`, stopped by SIGTERM or SIGINT. */
export function registerUp(setup: CommandSetup): void {
  setup.program
    .command('up')
    .description('start the engine: checker, scheduler, runner and HTTP API in one process on an SQLite data directory')
    .option('--data <dir>', 'the data directory (default: WEIR_DATA, else ./.weir)')
    .option('--host <host>', 'the address the API listens on', '127.0.0.1')
    .option('--port <port>', 'the API port (0 picks a free one)', '8080')
    .option('--pipelines <dir>', 'set every pipeline file found in this directory at start (NAME.yml, or NAME/pipeline.yml)')
    .option('--external-url <url>', 'the URL users reach the engine at, for build links (default: the listening address)')
    .option('--local-path-root <dir>', 'a directory under which pipelines may name paths on this machine (volume-snapshot path, store, restore to); repeat for more (default: the working directory and the temporary directory)', (dir: string, dirs: string[]) => [...dirs, dir], [] as string[])
    .option('--resource-type-mirror <registry>', 'a registry mirroring Docker Hub\'s concourse/*-resource images, from which Concourse base types weir has no built-in for (s3, semver, pool...) are fetched: host[:port][/prefix], http:// for one without TLS (default: WEIR_RESOURCE_TYPE_MIRROR, else Docker Hub)')
    .option('--allow-host-tasks', 'run tasks that have no image on this host, unsandboxed, as weir\'s own user (only for pipelines you trust; without it such tasks error)')
    .option('--no-task-network', 'cut sandboxed tasks off from the network (default: they share the host\'s, as in Concourse)')
    .option('--allow-privileged', 'honour `privileged: true` on resource types and tasks: every capability inside their sandbox\'s user namespace (never root on the host); off by default, since pipelines are untrusted input')
    .option('--image-cache-size <size>', 'how much of images (tasks\' and resource types\') <data dir>/images keeps, e.g. 10GiB or 500MB; the least recently used beyond it are removed', '10GiB')
    .option('--log-level <level>', 'engine log level: trace, debug, info, warn, error or silent', 'info')
    .option('--log-format <format>', 'engine log lines on stdout: pretty (for people) or json (for collectors) (default: pretty on a terminal, else json)')
    .action(async (options: { data?: string; host: string; port: string; pipelines?: string; externalUrl?: string; localPathRoot: string[]; resourceTypeMirror?: string; allowHostTasks?: boolean; taskNetwork: boolean; allowPrivileged?: boolean; imageCacheSize: string; logLevel: string; logFormat?: string }, command: Command) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${options.port} is not a port number`, 'give a number from 0 to 65535');
      const requestedFormat = options.logFormat;
      if (requestedFormat !== undefined && !isLogFormat(requestedFormat)) throw new CliError(`--log-format ${requestedFormat} is not a log format`, `give one of ${LOG_FORMATS.join(', ')}`);
      const env = setup.io.env ?? process.env;
      const mirror = options.resourceTypeMirror ?? env.WEIR_RESOURCE_TYPE_MIRROR;
      const data = options.data ?? command.parent?.opts<{ data?: string }>().data ?? env.WEIR_DATA ?? '.weir';
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      // Removed once up has ended, so a failed start leaves the process's signals as they were.
      const release = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      };
      // The engine is imported only now: every other command starts without loading it.
      const { upCommand } = await import('./run-up.js');
      await setup.run(() =>
        upCommand(
          {
            data,
            host: options.host,
            port,
            logLevel: options.logLevel,
            logFormat: chooseLogFormat(requestedFormat, setup.io.terminal ?? false),
            ...(options.pipelines !== undefined && { pipelines: options.pipelines }),
            ...(options.externalUrl !== undefined && { externalUrl: options.externalUrl }),
            localPathRoots: options.localPathRoot,
            ...(mirror !== undefined && mirror !== '' && { resourceTypeMirror: mirror }),
            allowPrivileged: options.allowPrivileged === true,
            allowHostTasks: options.allowHostTasks === true,
            taskNetwork: options.taskNetwork,
            imageCacheSize: options.imageCacheSize,
          },
          setup.io,
          stopped,
        ).finally(release),
      );
    });
}
