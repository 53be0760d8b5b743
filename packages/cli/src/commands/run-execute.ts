import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createLogger,
  hasErrors,
  loadTaskConfig,
  LocalExecutor,
  parseDuration,
  prepareTaskRun,
  SandboxExecutor,
  hostEnvironment,
  readImageDirectory,
  renderProblem,
  resolveRootfsUri,
  varsFromFlags,
  WeirError,
  type Problem,
  type TaskConfig,
  type VarFlag,
} from '@weir/engine';
import { builtinResourceTypeCatalog } from '@weir/resources/catalog';
import type { CliIo } from '../io.js';
import { readInput } from '../read-input.js';
import { imageCacheDir, leaseExecuteImage, type ExecuteImage } from './execute-image.js';

export interface ExecuteOptions {
  /** The task file (`-c`). */
  config: string;
  /** `name=dir` from each `-i`. */
  inputs: string[];
  /** `name=dir` from each `-o`. */
  outputs: string[];
  /** `--image NAME`: the `-i` directory used as the task's image (an image artifact: rootfs/ and metadata.json). */
  image?: string;
  varFlags: VarFlag[];
  /** A Go duration (`--timeout 10m`); none means no limit. */
  timeout?: string;
  /** Where relative directories start, and the input when the task declares just one. Default: the process's. */
  cwd?: string;
  /** Where images are kept between runs (`--image-cache`); default under the XDG cache directory. */
  imageCache?: string;
}

/** Exit statuses that are weir's own, apart from the task's 0–255. */
const WEIR_ERROR = 2;
const TIMED_OUT = 1;
/** Said for a task without an image_resource, which runs as a process here. */
export const HOST_LINE = 'the task has no image_resource: it runs as a process on this host';
const INTERRUPTED: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `weir execute`: runs one task file on this host, like `fly execute` but without a server. Exits
 * with the task's exit status, 1 when it timed out, and 2 when weir could not run it at all.
 */
export async function executeCommand(options: ExecuteOptions, io: CliIo): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadTask(options, io);
  if (loaded === undefined) return WEIR_ERROR;
  try {
    const timeout = parseTimeout(options.timeout);
    const given = parseDirectoryFlags(options.inputs, '-i', cwd);
    const imageInput = imageDirectory(options.image, loaded, given);
    const config = resolveRootfsUri(loaded, imageInput !== undefined, options.config);
    const inputs = inputDirectories(config, given, cwd);
    const outputs = parseDirectoryFlags(options.outputs, '-o', cwd);
    await checkDirectories(imageInput === undefined ? inputs : new Map([...inputs, [imageInput.name, imageInput.dir]]));
    checkOutputNames(config, outputs);
    return await runTask(config, inputs, outputs, timeout, { file: options.config, imageCache: imageCacheDir(options.imageCache, io.env ?? process.env, cwd), ...(imageInput !== undefined && { imageInput }) }, io);
  } catch (error) {
    if (error instanceof WeirError) {
      io.err(`${renderProblem(problemOf(error, options.config), undefined, { color: io.color })}\n`);
      return WEIR_ERROR;
    }
    throw error;
  }
}

/** The task file, validated: its problems are printed as `weir validate --task` prints them. */
async function loadTask(options: ExecuteOptions, io: CliIo): Promise<TaskConfig | undefined> {
  const { vars, problems: varProblems } = varsFromFlags(options.varFlags);
  const input = await readInput(options.config);
  const loaded =
    'problem' in input
      ? { problems: [input.problem], config: undefined }
      : loadTaskConfig(input.text, { file: options.config, vars, missingVars: 'error', resourceTypes: builtinResourceTypeCatalog(), imageArtifact: options.image !== undefined });
  const problems = [...varProblems, ...loaded.problems];
  const text = 'text' in input ? input.text : undefined;
  for (const problem of problems) io.err(`${renderProblem(problem, problem.file === options.config ? text : undefined, { color: io.color })}\n\n`);
  return hasErrors(problems) ? undefined : loaded.config;
}

async function runTask(
  config: TaskConfig,
  inputs: Map<string, string>,
  outputs: Map<string, string>,
  timeout: Timeout | undefined,
  where: { file: string; imageCache: string; imageInput?: ImageInput },
  io: CliIo,
): Promise<number> {
  const { file } = where;
  const baseEnv = hostEnvironment(io.env ?? process.env);
  const root = await mkdtemp(join(tmpdir(), 'weir-execute-'));
  const stop = stopSignals(timeout);
  let image: ExecuteImage | undefined;
  try {
    const workDir = join(root, 'work');
    await mkdir(workDir);
    const prepared = prepareTaskRun({
      config,
      params: {},
      inputMapping: {},
      outputMapping: {},
      artifact: (name) => inputs.get(name),
      artifactNames: () => [...inputs.keys()],
      // Nothing is kept between two `weir execute`s, as with fly: a cache only lives for this run.
      cacheStore: (path) => join(root, 'caches', path),
      workDir,
      baseEnv,
      location: file,
    });
    const logger = createLogger({ level: 'silent' });
    let executor: LocalExecutor | SandboxExecutor;
    if (config.image_resource === undefined && where.imageInput === undefined) {
      executor = new LocalExecutor({ logger, maxConcurrentTasks: 1 });
      io.err(`weir execute: ${HOST_LINE}\n`);
      if (config.run.user !== undefined) io.err(`weir execute: run.user ${JSON.stringify(config.run.user)} is not used: the task runs as the user running weir\n`);
    } else {
      const sandbox = new SandboxExecutor({ logger, maxConcurrentTasks: 1 });
      // Before fetching: a host that cannot run the image should not download it first.
      const problem = await sandbox.unavailable();
      if (problem !== undefined) throw problem;
      image = where.imageInput !== undefined ? await readImageInput(where.imageInput) : await leaseExecuteImage(config.image_resource!, { cacheDir: where.imageCache, workDir: root, signal: stop.signal, log: (line) => io.err(`weir execute: ${line}\n`), location: file });
      executor = sandbox;
      io.err(`weir execute: ${executor.description}\n`);
    }

    const result = await executor
      .runTask({
        ...prepared.run,
        ...(image !== undefined && { image }),
        signal: stop.signal,
        onOutput: (stream, line) => (stream === 'stdout' ? io.out : io.err)(`${line}\n`),
        onNotice: (line) => io.err(`weir execute: ${line}\n`),
      })
      .catch((error: unknown) => {
        if (stop.signal.aborted && error === stop.signal.reason) return undefined;
        throw error;
      });
    if (result === undefined) {
      const reason = stop.signal.reason as StopReason;
      if (reason.kind === 'timeout') {
        io.err(`weir execute: the task did not finish within --timeout ${reason.text} and was stopped\n`);
        return TIMED_OUT;
      }
      io.err(`weir execute: interrupted (${reason.signal}), the task was stopped\n`);
      return INTERRUPTED[reason.signal];
    }

    for (const [name, destination] of outputs) {
      await mkdir(destination, { recursive: true });
      await cp(result.outputs[name] as string, destination, { recursive: true, verbatimSymlinks: true }).catch((cause: Error) => {
        throw commandLineError('execute-output-copy-failed', `output "${name}" could not be copied to ${destination}: ${cause.message}`, 'check that the directory is writable');
      });
    }
    return result.exitStatus;
  } finally {
    image?.release();
    stop.dispose();
    await rm(root, { recursive: true, force: true });
  }
}

/** The `-i` input that `--image` names. */
interface ImageInput {
  name: string;
  dir: string;
}

/**
 * The directory `--image NAME` names: as with fly, it is given with `-i NAME=DIR` and need not be
 * one of the task's inputs; it is the task's image instead of its image_resource or rootfs_uri.
 */
function imageDirectory(name: string | undefined, config: TaskConfig, given: Map<string, string>): ImageInput | undefined {
  if (name === undefined) return undefined;
  const dir = given.get(name);
  if (dir === undefined) {
    throw commandLineError('execute-image-input-missing', `--image ${name}: no -i ${name}=DIR gives its directory`, `give the image's directory (rootfs/ and metadata.json) with -i ${name}=path/to/image`);
  }
  // Only a declared input is also placed in the task's working directory.
  if (!(config.inputs ?? []).some((input) => input.name === name)) given.delete(name);
  return { name, dir };
}

/** An image artifact on disk, read as the step's `image:` reads one in a pipeline. */
async function readImageInput(input: ImageInput): Promise<ExecuteImage> {
  const name = `input "${input.name}"`;
  const image = await readImageDirectory(input.dir, `${name} (--image ${input.name}, ${input.dir})`);
  return { ...image, name, release: () => undefined };
}

interface Timeout {
  ms: number;
  /** As the user wrote it, for messages. */
  text: string;
}

type StopReason = ({ kind: 'timeout' } & Timeout) | { kind: 'interrupt'; signal: 'SIGINT' | 'SIGTERM' };

/**
 * Aborts on --timeout and on Ctrl-C. The task leads its own process group, so the terminal's
 * SIGINT reaches weir only: weir passes it on by aborting, which stops the task's whole group.
 */
function stopSignals(timeout: Timeout | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = timeout === undefined ? undefined : setTimeout(() => controller.abort({ kind: 'timeout', ...timeout } satisfies StopReason), timeout.ms);
  const onSigint = (): void => controller.abort({ kind: 'interrupt', signal: 'SIGINT' } satisfies StopReason);
  const onSigterm = (): void => controller.abort({ kind: 'interrupt', signal: 'SIGTERM' } satisfies StopReason);
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
    },
  };
}

function parseTimeout(text: string | undefined): Timeout | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw commandLineError('execute-timeout-invalid', `--timeout ${JSON.stringify(text)} is not a positive duration`, 'write it as Concourse does, e.g. --timeout 90s or --timeout 1h30m');
  return { ms, text };
}

/** `-i name=dir` / `-o name=dir` → name → absolute directory. */
function parseDirectoryFlags(flags: readonly string[], flag: '-i' | '-o', cwd: string): Map<string, string> {
  const directories = new Map<string, string>();
  for (const text of flags) {
    const at = text.indexOf('=');
    const name = text.slice(0, at);
    const dir = text.slice(at + 1);
    if (at <= 0 || dir === '') throw commandLineError('execute-flag-invalid', `${flag} ${JSON.stringify(text)} is not name=directory`, `write e.g. ${flag} repo=.`);
    if (directories.has(name)) throw commandLineError('execute-flag-invalid', `${flag} gives "${name}" twice`, `give each ${flag === '-i' ? 'input' : 'output'} once`);
    directories.set(name, resolve(cwd, dir));
  }
  return directories;
}

/**
 * Each input's directory. As with fly, a task with a single input gets the current directory
 * when -i does not name it; otherwise every required input must be given.
 */
function inputDirectories(config: TaskConfig, given: Map<string, string>, cwd: string): Map<string, string> {
  const declared = config.inputs ?? [];
  const names = declared.map((input) => input.name);
  for (const name of given.keys()) {
    if (!names.includes(name)) throw commandLineError('execute-input-unknown', `-i ${name}: the task has no input named "${name}"`, names.length > 0 ? `its inputs are: ${names.join(', ')}` : 'the task declares no inputs');
  }
  const only = declared.length === 1 ? declared[0] : undefined;
  if (only !== undefined && given.size === 0) return new Map([[only.name, cwd]]);
  const missing = declared.filter((input) => input.optional !== true && !given.has(input.name)).map((input) => input.name);
  if (missing.length > 0) {
    throw commandLineError(
      'execute-input-missing',
      `the task needs ${missing.length === 1 ? 'input' : 'inputs'} ${missing.map((n) => `"${n}"`).join(', ')}, not given with -i`,
      `give each one a directory, e.g. ${missing.map((n) => `-i ${n}=path/to/${n}`).join(' ')}`,
    );
  }
  return given;
}

async function checkDirectories(inputs: Map<string, string>): Promise<void> {
  for (const [name, dir] of inputs) {
    const isDirectory = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDirectory) throw commandLineError('execute-input-not-directory', `input "${name}": ${dir} is not a directory`, 'give -i name=DIR an existing directory');
  }
}

function checkOutputNames(config: TaskConfig, outputs: Map<string, string>): void {
  const names = (config.outputs ?? []).map((output) => output.name);
  for (const name of outputs.keys()) {
    if (!names.includes(name)) throw commandLineError('execute-output-unknown', `-o ${name}: the task has no output named "${name}"`, names.length > 0 ? `its outputs are: ${names.join(', ')}` : 'the task declares no outputs');
  }
}

/** A mistake in the flags, as opposed to one in the task file. */
function commandLineError(code: string, message: string, hint: string): WeirError {
  return new WeirError(code, message, { hint, location: 'weir execute' });
}

/** A WeirError printed like a config problem: under the task file's name unless it is about the flags. */
function problemOf(error: WeirError, file: string): Problem {
  const problem: Problem = { severity: 'error', code: error.code, message: error.message, path: [], file: error.location === 'weir execute' ? error.location : file };
  if (error.hint !== undefined) problem.hint = error.hint;
  return problem;
}
