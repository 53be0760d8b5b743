import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { Engine, type EngineOptions, parseByteSize, parseDuration, ensureApiToken, PipelineInvalidError, renderProblem, startApiServer, WeirError, type Logger } from '@weir/engine';
import { DEFAULT_CREDENTIALS_SWITCH, implementedResourceTypes } from '@weir/resources';
import { webRoot } from '@weir/web';
import { engineLogger } from '../engine-log.js';
import { splitUndefinedVars, undefinedVarNames } from '../render/undefined-vars.js';
import type { LogFormat } from '../log-format.js';
import type { CliIo } from '../io.js';

export interface UpOptions {
  data: string;
  host: string;
  port: number;
  /** A directory whose pipeline files are set at start. */
  pipelines?: string;
  externalUrl?: string;
  localPathRoots: string[];
  /** Where Concourse base types' images come from instead of Docker Hub. */
  resourceTypeMirror?: string;
  allowPrivileged: boolean;
  allowHostTasks: boolean;
  taskNetwork: boolean;
  /** `10GiB`, `500MB`: what the image cache keeps. */
  imageCacheSize: string;
  /** `--sync-every-commit`: fsync at every commit (see EngineOptions.syncEveryCommit). */
  syncEveryCommit: boolean;
  /** Most builds running at once; the rest wait pending. */
  maxRunningBuilds: number;
  /** `--keep-failed-containers` (a count) and `--keep-failed-containers-for` (a duration). */
  keepFailedContainers: string;
  keepFailedContainersFor: string;
  /** The --*-build-logs-to-retain and --*-days-to-retain-build-logs flags (0: no limit). */
  buildLogRetention: NonNullable<EngineOptions['buildLogRetention']>;
  logLevel: string;
  logFormat: LogFormat;
  /** Task pods on a cluster: for every task with an image (`default`), or for the tags mapped. */
  kubernetes?: NonNullable<EngineOptions['kubernetes']>;
}

/**
 * `weir up`: checker, scheduler, runner and API in one process on the data directory.
 * Resolves with the exit status once `stopped` resolves (SIGTERM or SIGINT from `main`) and
 * everything has shut down.
 */
export async function upCommand(options: UpOptions, io: CliIo, stopped: Promise<void>): Promise<number> {
  try {
    return await runEngine(options, io, stopped);
  } catch (error) {
    // A data directory in use, an unreadable --pipelines directory, a port already taken.
    if (error instanceof WeirError) {
      io.err(`error: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}`);
      return 1;
    }
    throw error;
  }
}

async function runEngine(options: UpOptions, io: CliIo, stopped: Promise<void>): Promise<number> {
  // The identity that runs task pods (and so may exec into them) is not lent to pipelines'
  // kubernetes and volume-snapshot resources, unless the operator said otherwise.
  if (options.kubernetes && process.env[DEFAULT_CREDENTIALS_SWITCH] === undefined) process.env[DEFAULT_CREDENTIALS_SWITCH] = 'deny';
  const logger = await engineLogger({ format: options.logFormat, level: options.logLevel, color: io.color });
  const engine = Engine.open({
    dataDir: options.data,
    resourceTypes: implementedResourceTypes(),
    logger,
    ...(options.externalUrl && { externalUrl: options.externalUrl }),
    localPathRoots: options.localPathRoots,
    ...(options.resourceTypeMirror !== undefined && { resourceTypeMirror: options.resourceTypeMirror }),
    allowPrivileged: options.allowPrivileged,
    allowHostTasks: options.allowHostTasks,
    taskNetwork: options.taskNetwork,
    imageCacheBytes: imageCacheBytes(options.imageCacheSize),
    syncEveryCommit: options.syncEveryCommit,
    maxRunningBuilds: options.maxRunningBuilds,
    keptContainers: keptContainerRetention(options.keepFailedContainers, options.keepFailedContainersFor),
    buildLogRetention: options.buildLogRetention,
    ...(options.kubernetes && { kubernetes: options.kubernetes }),
  });
  try {
    const token = await ensureApiToken(engine.dataDir);
    if (options.pipelines !== undefined) await setPipelinesFrom(engine, options.pipelines, io, logger);
    engine.start();
    const server = await startApiServer({
      engine,
      token,
      host: options.host,
      port: options.port,
      webRoot,
      ...(options.externalUrl && { externalUrl: options.externalUrl }),
    });
    io.err(
      [
        `weir is up at ${server.url} (the web UI; data in ${engine.dataDir}, API token in ${join(engine.dataDir, 'token')})`,
        await describeTaskPlacement(engine, options),
        'try next:',
        '  weir pipelines                         # what is set',
        '  weir builds                            # what ran',
        '  weir set-pipeline -p NAME -c FILE      # set your own',
        '  weir trigger-job -j PIPELINE/JOB -w    # run a job and watch it',
        '',
      ].join('\n'),
    );
    await stopped;
    io.err('stopping: running builds are ended, nothing committed is lost\n');
    await server.close();
  } finally {
    await engine.stop();
  }
  return 0;
}

/** Where tasks will run, said once at start, with what to install when this host cannot sandbox. */
async function describeTaskPlacement(engine: Engine, options: UpOptions): Promise<string> {
  const problem = await engine.sandbox.unavailable();
  const host = options.allowHostTasks ? 'tasks without an image run on this host, unsandboxed (--allow-host-tasks)' : 'tasks without an image error (--allow-host-tasks runs them on this host)';
  const cluster = options.kubernetes;
  if (cluster) {
    const where = `as pods${cluster.namespace ? ` in namespace ${cluster.namespace}` : ''}, with ${cluster.kubeconfig ? `the kubeconfig ${cluster.kubeconfig}` : 'the default identity ($KUBECONFIG, ~/.kube/config, else this pod\'s service account)'}; pipelines' kubernetes resources must bring their own kubeconfig (${DEFAULT_CREDENTIALS_SWITCH}=${process.env[DEFAULT_CREDENTIALS_SWITCH]})`;
    const tags = Object.keys(cluster.tags ?? {});
    if (cluster.default) return `tasks with an image run ${where}; ${host}`;
    if (tags.length > 0 && problem === undefined) return `tasks with an image run in it, sandboxed by bubblewrap, and with tags ${tags.join(', ')} ${where}; ${host}`;
  }
  if (problem) return `tasks with an image cannot run: ${problem.message}\n  hint: ${problem.hint}\n${host}`;
  return `tasks with an image run in it, sandboxed by bubblewrap (${options.taskNetwork ? 'sharing the host\'s network' : 'without network'}); ${host}`;
}

/**
 * Sets every pipeline in a directory: `NAME.yml` directly in it, and `NAME/pipeline.yml` one
 * level down (the layout of `examples/`). A pipeline that cannot be set is reported and
 * skipped, so one broken file does not keep the engine from starting.
 */
async function setPipelinesFrom(engine: Engine, dir: string, io: CliIo, logger: Logger): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new WeirError('pipelines-dir-unreadable', `cannot read the pipelines directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      location: dir,
      hint: 'pass an existing directory to --pipelines',
    });
  }
  const files: Array<{ name: string; file: string }> = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isFile() && ['.yml', '.yaml'].includes(extname(entry.name))) files.push({ name: basename(entry.name, extname(entry.name)), file: path });
    if (entry.isDirectory()) {
      const nested = join(path, 'pipeline.yml');
      if (await stat(nested).then((s) => s.isFile(), () => false)) files.push({ name: entry.name, file: nested });
    }
  }
  for (const { name, file } of files) {
    const shown = relative(process.cwd(), file) || file;
    try {
      const { pipeline, created } = await engine.setPipelineAsync({ name, text: await readFile(file, 'utf8'), file: shown });
      logger.info({ pipeline: name, file: shown, configVersion: pipeline.configVersion }, created ? 'pipeline created' : 'pipeline set');
      io.err(`set pipeline ${name} from ${shown}\n`);
    } catch (error) {
      if (!(error instanceof WeirError)) throw error;
      if (!(error instanceof PipelineInvalidError)) {
        io.err(`skipped ${shown}: ${error.message}\n`);
        continue;
      }
      const { undefinedVars, others } = splitUndefinedVars(error.problems.filter((p) => p.severity === 'error'), 'error');
      const needs = undefinedVars.length === 0 ? '' : `it needs ${undefinedVarNames(undefinedVars).map((v) => `((${v}))`).join(', ')}`;
      if (others.length === 0) {
        // An example that takes vars is not broken: one line says what to give, not a block per var.
        io.err(`skipped ${shown}: ${needs}; once weir is up: weir set-pipeline -p ${name} -c ${shown} -v NAME=VALUE…, or weir secrets set NAME for secrets\n`);
        continue;
      }
      io.err(`skipped ${shown}: ${error.message}${needs && ` (and ${needs})`}\n`);
      const text = await readFile(file, 'utf8');
      for (const problem of others.slice(0, 3)) io.err(`${renderProblem(problem, text, { color: io.color }).replace(/^/gm, '  ')}\n`);
    }
  }
}

function imageCacheBytes(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes === 0) {
    throw new WeirError('image-cache-size-invalid', `--image-cache-size ${text} is not a size`, {
      location: '--image-cache-size',
      hint: 'give a size greater than 0, e.g. 10GiB, 500MB or a number of bytes',
    });
  }
  return bytes;
}

function keptContainerRetention(count: string, duration: string): NonNullable<EngineOptions['keptContainers']> {
  if (!/^[0-9]+$/.test(count)) {
    throw new WeirError('keep-failed-containers-invalid', `--keep-failed-containers ${count} is not a count`, { location: '--keep-failed-containers', hint: 'give a whole number; 0 keeps none' });
  }
  const maxAgeMs = parseDuration(duration);
  if (maxAgeMs === undefined || maxAgeMs <= 0) {
    throw new WeirError('keep-failed-containers-invalid', `--keep-failed-containers-for ${duration} is not a duration`, { location: '--keep-failed-containers-for', hint: 'give a duration such as 30m or 24h' });
  }
  return { maxBuilds: Number(count), maxAgeMs };
}
