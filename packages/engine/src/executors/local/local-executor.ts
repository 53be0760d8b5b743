import { availableParallelism } from 'node:os';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ClaimLocks } from '../claim-locks.js';
import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { Executor, TaskClaimMount, TaskResult, TaskRun } from '../executor.js';
import { resolveExecutable } from './resolve-executable.js';
import { runTaskProcess } from './task-process.js';
import { TaskSlots } from './task-slots.js';
import { createOutputs, mountCaches, placeInputs, requireDirectory, returnCaches } from './working-directory.js';

export interface LocalExecutorOptions {
  /** Tasks running at once across all builds; more wait their turn. Default: 4 × the CPUs available. */
  maxConcurrentTasks?: number;
  /** How long an aborted task gets between SIGTERM and SIGKILL. Default: 10 s. */
  killGraceMs?: number;
  /** Who holds which claim directory: shared with the sandbox executor, so a directory is held across both. */
  claimLocks?: ClaimLocks;
  logger: Logger;
}

interface CompiledOptions {
  maxConcurrentTasks: number;
  killGraceMs: number;
  logger: Logger;
}

function compileOptions(options: LocalExecutorOptions): CompiledOptions {
  const maxConcurrentTasks = options.maxConcurrentTasks ?? 4 * availableParallelism();
  const killGraceMs = options.killGraceMs ?? 10_000;
  if (!Number.isInteger(maxConcurrentTasks) || maxConcurrentTasks < 1) {
    throw new WeirError('executor-option-invalid', `maxConcurrentTasks is ${maxConcurrentTasks}; it must be a whole number of at least 1`, {
      hint: 'leave it unset for 4 tasks per CPU',
    });
  }
  if (!Number.isFinite(killGraceMs) || killGraceMs < 0) {
    throw new WeirError('executor-option-invalid', `killGraceMs is ${killGraceMs}; it must be a number of milliseconds, 0 or more`, {
      hint: 'leave it unset for 10 seconds',
    });
  }
  return { maxConcurrentTasks, killGraceMs, logger: options.logger.child({ component: 'local-executor' }) };
}

/**
 * Runs each task as a process on this host, in its working directory, with no container:
 * `image_resource`, `image` and `run.user` are not used (the runner says so in the build log).
 */
export class LocalExecutor implements Executor {
  readonly description = 'tasks run as processes on this host, not in containers: image_resource and image are not used';
  private readonly options: CompiledOptions;
  private readonly slots: TaskSlots;
  private readonly claimLocks: ClaimLocks;

  constructor(options: LocalExecutorOptions) {
    this.options = compileOptions(options);
    this.claimLocks = options.claimLocks ?? new ClaimLocks();
    this.slots = new TaskSlots(this.options.maxConcurrentTasks);
  }

  async runTask(task: TaskRun): Promise<TaskResult> {
    const { logger } = this.options;
    await this.slots.acquire(task.signal);
    try {
      await placeInputs(task.workDir, task.inputs);
      await createOutputs(task.workDir, task.outputs);
      await mountCaches(task.workDir, task.caches, logger);
      let exitStatus: number;
      const releases: Array<() => void> = [];
      try {
        for (const claim of task.claims ?? []) releases.push(await linkClaim(task, claim, this.claimLocks));
        exitStatus = await this.runProcess(task);
      } finally {
        for (const release of releases) release();
        await returnCaches(task.workDir, task.caches, logger);
      }
      const outputs: Record<string, string> = {};
      for (const output of task.outputs) outputs[output.name] = join(task.workDir, output.path);
      return { exitStatus, outputs };
    } finally {
      this.slots.release();
    }
  }

  private async runProcess(task: TaskRun): Promise<number> {
    task.signal.throwIfAborted();
    const cwd = task.run.dir === undefined ? task.workDir : join(task.workDir, task.run.dir);
    if (task.run.dir !== undefined) await requireDirectory(cwd, task.run.dir);
    const file = await resolveExecutable(task.run.path, cwd, task.env.PATH);
    task.signal.throwIfAborted();
    return runTaskProcess({
      file,
      argv0: task.run.path,
      args: task.run.args,
      cwd,
      env: task.env,
      signal: task.signal,
      killGraceMs: this.options.killGraceMs,
      onOutput: task.onOutput,
      logger: this.options.logger,
    });
  }
}

/**
 * A claim on this host is its directory, linked into the working directory: a process on the
 * host has no mount namespace of its own to bind it in, so `read_only` cannot be enforced here
 * (the build log says so). The link goes with the working directory; the lock is released after.
 */
async function linkClaim(task: TaskRun, claim: TaskClaimMount, locks: ClaimLocks): Promise<() => void> {
  const release = await locks.acquire(claim.claim, claim.readOnly ? 'read' : 'write', task.signal, () => task.onNotice?.(`waiting for ${claim.claim}: another build has it mounted read-write`));
  const at = join(task.workDir, claim.path);
  await mkdir(dirname(at), { recursive: true });
  await symlink(claim.claim, at);
  if (claim.readOnly) task.onNotice?.(`claim ${claim.claim} at ${claim.path}: read_only is not enforced for a task on this host`);
  return release;
}
