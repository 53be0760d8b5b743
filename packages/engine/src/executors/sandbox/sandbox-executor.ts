import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { cp, lstat, mkdir, realpath, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, sep } from 'node:path';
import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { ClaimLocks } from '../claim-locks.js';
import type { Executor, TaskImage, TaskResult, TaskRun } from '../executor.js';
import { TaskSlots } from '../local/task-slots.js';
import { createOutputs, mountCaches, placeInputs, requireDirectory, returnCaches } from '../local/working-directory.js';
import { containerLimitNotices } from './container-limits.js';
import { requireHostPlatform } from './image-platform.js';
import { resolveImageUser, type SandboxUser } from './image-user.js';
import { probeSandbox } from './sandbox-support.js';
import { runSandboxed, type SandboxStarted } from './sandbox-process.js';
import type { TaskContainers } from './task-containers.js';
import { pathsToInspect, taskSandboxLayout, type ImageFacts, type TaskSandboxLayout } from './task-sandbox-layout.js';

/** The hostname inside a task's sandbox. */
const SANDBOX_HOSTNAME = 'weir-task';

/** How long a probe's answer that sandboxes cannot be made stands before a task asks again. */
export const FAILED_PROBE_STANDS_MS = 30_000;

export interface SandboxExecutorOptions {
  /** Share the host's network with tasks (Concourse's default); false leaves them only a loopback. */
  network?: boolean;
  /** Tasks running at once across all builds; more wait their turn. Default: 4 × the CPUs available. */
  maxConcurrentTasks?: number;
  /** How long an aborted task gets between SIGTERM and SIGKILL. Default: 10 s. */
  killGraceMs?: number;
  /** bubblewrap's path; default `bwrap` on PATH. */
  bwrap?: string;
  /** Who holds which claim directory: shared with the host executor, so a directory is held across both. */
  claimLocks?: ClaimLocks;
  /** Where each task's container is registered for `weir intercept`; without it none is. */
  containers?: TaskContainers;
  logger: Logger;
}

/**
 * Runs each task in its image's root filesystem with bubblewrap (see `runSandboxed`): the
 * image read-only, the task's working directory (inputs, outputs, caches, placed as the host
 * executor places them) the only host directory it sees, its own user, pid, ipc and mount
 * namespaces, the image's env, user and working_dir applied and `run.user` over the image's
 * user. Nothing of the engine (data directory, token, database, other builds) is mounted; a
 * claim (a directory under the operator's local path roots) is, at its path, held by one
 * read-write build at a time.
 */
export class SandboxExecutor implements Executor {
  readonly description: string;
  private readonly slots: TaskSlots;
  private readonly network: boolean;
  private readonly killGraceMs: number;
  private readonly logger: Logger;
  private support: Promise<WeirError | undefined> | undefined;
  private supportFailedAt: number | undefined;
  private readonly claimLocks: ClaimLocks;

  constructor(private readonly options: SandboxExecutorOptions) {
    this.network = options.network ?? true;
    this.killGraceMs = options.killGraceMs ?? 10_000;
    this.logger = options.logger.child({ component: 'sandbox-executor' });
    this.slots = new TaskSlots(options.maxConcurrentTasks ?? 4 * availableParallelism());
    this.claimLocks = options.claimLocks ?? new ClaimLocks();
    this.description = `the task runs in its image, in a sandbox (bubblewrap: its own user, pid and mount namespaces; ${this.network ? 'the host\'s network' : 'no network'})`;
  }

  /**
   * Whether bubblewrap can make sandboxes here: a yes is remembered, a no for
   * FAILED_PROBE_STANDS_MS, then asked again. Asked at start, when the machine may be at its
   * busiest, a no remembered for good would error every task until a restart.
   */
  unavailable(): Promise<WeirError | undefined> {
    if (this.support === undefined || (this.supportFailedAt !== undefined && Date.now() - this.supportFailedAt >= FAILED_PROBE_STANDS_MS)) {
      this.supportFailedAt = undefined;
      this.support = probeSandbox(this.options.bwrap).then((problem) => {
        if (problem) this.supportFailedAt = Date.now();
        return problem;
      });
    }
    return this.support;
  }

  async runTask(task: TaskRun): Promise<TaskResult> {
    const image = task.image;
    if (image === undefined) throw new Error('the sandbox executor was given a task without an image');
    const problem = await this.unavailable();
    if (problem) throw problem;
    requireHostPlatform(image.config, image.name);
    const notice = (line: string): void => task.onNotice?.(line);
    for (const line of containerLimitNotices(task.containerLimits)) notice(line);
    if (task.privileged) notice('privileged: the task has every capability inside its own user namespace, none on the host (weir runs no real root containers)');
    // Its own network namespace: only a loopback of its own, so not even the host's 127.0.0.1.
    const network = this.network && task.hermetic !== true;
    if (task.hermetic === true) notice('hermetic: instead of the host\'s network, the task has a network namespace of its own with only its own loopback (not even the host\'s 127.0.0.1 is reachable)');
    const user = await resolveImageUser(image.rootfs, task.run.user ?? image.config.user, image.name);
    const layout = taskSandboxLayout({
      task,
      config: image.config,
      user,
      facts: await inspectImage(image.rootfs, pathsToInspect(image.config, user)),
      network,
      buildDirName: randomBytes(6).toString('hex'),
    });
    for (const line of layout.notices) notice(line);

    const releases: Array<() => void> = [];
    try {
      for (const claim of task.claims ?? []) {
        releases.push(await this.claimLocks.acquire(claim.claim, claim.readOnly ? 'read' : 'write', task.signal, () => notice(`waiting for ${claim.claim}: another build has it mounted read-write`)));
      }
      return await this.runWithSlot(task, image, user, layout, network);
    } finally {
      for (const release of releases) release();
    }
  }

  private async runWithSlot(task: TaskRun, image: TaskImage, user: SandboxUser, layout: TaskSandboxLayout, network: boolean): Promise<TaskResult> {
    await this.slots.acquire(task.signal);
    try {
      if (layout.copyImageWorkDir) await copyImageWorkDir(image.rootfs, layout.workDir, task);
      await placeInputs(task.workDir, task.inputs);
      await createOutputs(task.workDir, task.outputs);
      await mountCaches(task.workDir, task.caches, this.logger);
      // Where each claim is bound: the mount point must exist in the working directory.
      for (const claim of task.claims ?? []) await mkdir(join(task.workDir, claim.path), { recursive: true });
      let exitStatus: number;
      // What the task's sandbox is made of; a kept container is made again from the same.
      const sandbox = {
        env: layout.env,
        cwd: layout.cwd,
        mounts: layout.mounts,
        tmpfs: layout.tmpfs,
        uid: user.uid,
        gid: user.gid,
        network,
        hostname: SANDBOX_HOSTNAME,
        allCapabilities: task.privileged === true,
      };
      const container =
        task.owner &&
        this.options.containers?.started(task.owner, task.workDir, {
          image: image.cacheKey === undefined ? { rootfs: image.rootfs } : { key: image.cacheKey, rootfs: image.rootfs },
          ...sandbox,
        });
      try {
        if (task.run.dir !== undefined) await requireDirectory(join(task.workDir, task.run.dir), task.run.dir);
        task.signal.throwIfAborted();
        ({ exitStatus } = await runSandboxed({
          rootfs: image.rootfs,
          argv: layout.argv,
          ...sandbox,
          signal: task.signal,
          killGraceMs: this.killGraceMs,
          onOutput: task.onOutput,
          logger: this.logger,
          ...(this.options.bwrap !== undefined && { bwrap: this.options.bwrap }),
          ...(container && { onStarted: (sandbox: SandboxStarted) => container.running(sandbox) }),
        }));
      } finally {
        container?.exited();
        await returnCaches(task.workDir, task.caches, this.logger);
      }
      const outputs: Record<string, string> = {};
      for (const output of task.outputs) outputs[output.name] = join(task.workDir, output.path);
      return { exitStatus, outputs };
    } finally {
      this.slots.release();
    }
  }
}

/**
 * Which of `paths` are directories (or regular files) of the image, each resolved on this host
 * only when it stays inside the root filesystem: a symlink in an image must not make weir look
 * at (or copy) the host's own files.
 */
async function inspectImage(rootfs: string, paths: { directories: string[]; files: string[] }): Promise<ImageFacts> {
  const root = await realpath(rootfs);
  const kindOf = async (path: string): Promise<'directory' | 'file' | undefined> => {
    try {
      const resolved = await realpath(join(rootfs, path));
      if (resolved !== root && !resolved.startsWith(root + sep)) return undefined;
      const found = await stat(resolved);
      return found.isDirectory() ? 'directory' : found.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  };
  const directories = new Set<string>();
  const files = new Set<string>();
  for (const path of paths.directories) if ((await kindOf(path)) === 'directory') directories.add(path);
  for (const path of paths.files) if ((await lstat(join(rootfs, path)).then((found) => found.isFile(), () => false)) && (await kindOf(path)) === 'file') files.add(path);
  return { directories, files };
}

/**
 * The image's files at its working_dir, copied (reflinked where the filesystem can) under the
 * task's working directory, minus what an input, output or cache puts at the same path.
 */
async function copyImageWorkDir(rootfs: string, workDir: string, task: TaskRun): Promise<void> {
  const source = join(await realpath(rootfs), workDir);
  try {
    await cp(await realpath(source), task.workDir, { recursive: true, mode: constants.COPYFILE_FICLONE, verbatimSymlinks: true });
  } catch (cause) {
    throw new WeirError('task-image-workdir-copy-failed', `the image's working_dir ${workDir} could not be copied for the task: ${(cause as Error).message}`, {
      hint: 'check that the disk holding the data directory has space',
      cause,
    });
  }
  const claimed = [...task.inputs.map((input) => input.path), ...task.outputs.map((output) => output.path), ...task.caches.map((cache) => cache.path)];
  for (const path of claimed) if (path !== '.') await rm(join(task.workDir, path), { recursive: true, force: true });
}
