import type { Command } from 'commander';
import { parseKubernetesTag } from '../kubernetes-options.js';
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
    .option('--task-executor <executor>', 'where tasks with an image run: sandbox (bubblewrap on this host) or kubernetes (a pod each, on the cluster of --kubernetes-kubeconfig or the one weir runs in); declared resource types\' check/in/out run there too', 'sandbox')
    .option('--kubernetes-kubeconfig <file>', 'the kubeconfig weir runs task pods with (default: $KUBECONFIG, ~/.kube/config, else the service account of the pod weir runs in)')
    .option('--kubernetes-namespace <namespace>', 'the namespace of task pods (default: the kubeconfig context\'s, in a pod its own)')
    .option('--kubernetes-max-pods <count>', 'most task pods at once; more tasks wait their turn', '32')
    .option('--kubernetes-helper-image <image>', 'an image with sh, tar, find and chmod (busybox) for the helper containers that move artifacts in and out of task pods', 'busybox:1.37')
    .option('--kubernetes-engine-id <id>', 'marks this engine\'s pods, so its start deletes only pods an earlier run of it left; give engines sharing a namespace different ids', 'weir')
    .option('--kubernetes-tag <mapping>', 'run tasks with this tag as pods, e.g. gpu=namespace=ci-gpu,node.accelerator=nvidia (namespace and node.LABEL=VALUE node selector, both optional; repeat for more tags); a tag sends its tasks to the cluster even when --task-executor is sandbox', (text: string, all: string[]) => [...all, text], [] as string[])
    .option('--max-running-builds <count>', 'most builds running at once across all pipelines; more wait pending ("waiting for a build slot") and start oldest first', '100')
    .option('--image-cache-size <size>', 'how much of images (tasks\' and resource types\') <data dir>/images keeps, e.g. 10GiB or 500MB; the least recently used beyond it are removed', '10GiB')
    .option('--default-build-logs-to-retain <count>', 'keep the logs of this many recent builds of each job that sets no build_log_retention.builds (default: all)')
    .option('--max-build-logs-to-retain <count>', 'no job keeps the logs of more builds than this, whatever it sets (default: no limit)')
    .option('--default-days-to-retain-build-logs <days>', 'keep logs this many days for each job that sets no build_log_retention.days (default: all)')
    .option('--max-days-to-retain-build-logs <days>', 'no job keeps logs longer than this many days, whatever it sets (default: no limit)')
    .option('--sync-every-commit', 'fsync the database at every commit, so what was committed survives a power loss too (by default a crash or kill loses nothing committed, a power loss may lose the last commits; this costs an fsync per state change)')
    .option('--keep-failed-containers <count>', 'how many failed builds keep their task containers for weir intercept (a job\'s latest failed build, until its next build ends); 0 keeps none', '10')
    .option('--keep-failed-containers-for <duration>', 'how long a failed build\'s task containers are kept at most, e.g. 30m or 24h', '24h')
    .option('--log-level <level>', 'engine log level: trace, debug, info, warn, error or silent', 'info')
    .option('--log-format <format>', 'engine log lines on stdout: pretty (for people) or json (for collectors) (default: pretty on a terminal, else json)')
    .action(async (options: { data?: string; host: string; port: string; pipelines?: string; externalUrl?: string; localPathRoot: string[]; resourceTypeMirror?: string; allowHostTasks?: boolean; taskNetwork: boolean; allowPrivileged?: boolean; imageCacheSize: string; syncEveryCommit?: boolean; maxRunningBuilds: string; keepFailedContainers: string; keepFailedContainersFor: string; defaultBuildLogsToRetain?: string; maxBuildLogsToRetain?: string; defaultDaysToRetainBuildLogs?: string; maxDaysToRetainBuildLogs?: string; logLevel: string; logFormat?: string; taskExecutor: string; kubernetesKubeconfig?: string; kubernetesNamespace?: string; kubernetesMaxPods: string; kubernetesHelperImage: string; kubernetesEngineId: string; kubernetesTag: string[] }, command: Command) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${options.port} is not a port number`, 'give a number from 0 to 65535');
      const requestedFormat = options.logFormat;
      if (requestedFormat !== undefined && !isLogFormat(requestedFormat)) throw new CliError(`--log-format ${requestedFormat} is not a log format`, `give one of ${LOG_FORMATS.join(', ')}`);
      if (options.taskExecutor !== 'sandbox' && options.taskExecutor !== 'kubernetes') throw new CliError(`--task-executor ${options.taskExecutor} is not an executor`, 'give sandbox or kubernetes');
      const maxPods = Number(options.kubernetesMaxPods);
      if (!Number.isInteger(maxPods) || maxPods < 1) throw new CliError(`--kubernetes-max-pods ${options.kubernetesMaxPods} is not a count`, 'give a whole number of at least 1');
      const maxRunningBuilds = Number(options.maxRunningBuilds);
      if (!Number.isInteger(maxRunningBuilds) || maxRunningBuilds < 1) throw new CliError(`--max-running-builds ${options.maxRunningBuilds} is not a count`, 'give a whole number of at least 1');
      const tags = Object.fromEntries(options.kubernetesTag.map(parseKubernetesTag));
      const cluster = options.taskExecutor === 'kubernetes' || options.kubernetesTag.length > 0;
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
            syncEveryCommit: options.syncEveryCommit === true,
            maxRunningBuilds,
            keepFailedContainers: options.keepFailedContainers,
            keepFailedContainersFor: options.keepFailedContainersFor,
            buildLogRetention: {
              defaultBuilds: retentionCount(options.defaultBuildLogsToRetain, '--default-build-logs-to-retain'),
              maxBuilds: retentionCount(options.maxBuildLogsToRetain, '--max-build-logs-to-retain'),
              defaultDays: retentionCount(options.defaultDaysToRetainBuildLogs, '--default-days-to-retain-build-logs'),
              maxDays: retentionCount(options.maxDaysToRetainBuildLogs, '--max-days-to-retain-build-logs'),
            },
            ...(cluster && {
              kubernetes: {
                default: options.taskExecutor === 'kubernetes',
                ...(options.kubernetesKubeconfig !== undefined && { kubeconfig: options.kubernetesKubeconfig }),
                ...(options.kubernetesNamespace !== undefined && { namespace: options.kubernetesNamespace }),
                maxConcurrentTasks: maxPods,
                helperImage: options.kubernetesHelperImage,
                engineId: options.kubernetesEngineId,
                tags,
              },
            }),
          },
          setup.io,
          stopped,
        ).finally(release),
      );
    });
}

/** A retention flag's value: a whole number, 0 (or absent) meaning no limit. */
function retentionCount(text: string | undefined, flag: string): number {
  if (text === undefined) return 0;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new CliError(`${flag} ${text} is not a count`, 'give a whole number; 0 means no limit');
  return value;
}
