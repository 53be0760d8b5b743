import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { Logger } from '../../logging.js';
import { WeirError } from '../../errors.js';
import { LineSplitter } from './line-splitter.js';
import { watchProcessGroup } from './process-group-watchdog.js';

export interface TaskProcessOptions {
  /** What to start, as resolveExecutable returns it. */
  file: string;
  /** What the program sees as its name (`run.path` as written). */
  argv0: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  killGraceMs: number;
  onOutput(stream: 'stdout' | 'stderr', line: string): void;
  logger: Logger;
}

/**
 * Runs the program as the leader of a new process group and resolves with its exit status once it
 * has exited and all its output is delivered; rejects with `signal.reason` when it was aborted.
 *
 * Whenever the leader exits, the rest of its group is killed: a task's background processes do
 * not outlive it, as in Concourse where the container goes away. An abort sends SIGTERM to the
 * group, then SIGKILL after `killGraceMs` if the leader is still there. If the engine dies first,
 * the process group watchdog kills the group.
 */
export function runTaskProcess(options: TaskProcessOptions): Promise<number> {
  const { signal, logger } = options;
  return new Promise((resolve, reject) => {
    const startFailed = (cause: Error): WeirError =>
      new WeirError('task-start-failed', `the task's program ${options.file} could not be started: ${cause.message}`, {
        hint: 'check that the program is a valid executable for this host (a script needs a #! line) and that its arguments hold no NUL character',
        cause,
      });
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(options.file, options.args, {
        argv0: options.argv0,
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (cause) {
      reject(startFailed(cause as Error));
      return;
    }
    const unwatch = watchProcessGroup(child.pid);
    const stdout = new LineSplitter((line) => options.onOutput('stdout', line));
    const stderr = new LineSplitter((line) => options.onOutput('stderr', line));
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let aborted = false;
    let exitStatus: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const killGroup = (name: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, name);
      } catch (cause) {
        // ESRCH: the whole group is already gone.
        if ((cause as NodeJS.ErrnoException).code !== 'ESRCH') logger.warn({ pid: child.pid, signal: name, err: cause }, 'could not signal the task\'s process group');
      }
    };
    const onAbort = (): void => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });

    child.once('spawn', () => logger.debug({ pid: child.pid, file: options.file }, 'task process started'));

    child.once('error', (cause) => {
      // Only a failed start gets here: no exit status will follow.
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      reject(startFailed(cause));
    });

    child.once('exit', (code, signalName) => {
      exitStatus = code ?? 128 + (signalName === null ? 0 : constants.signals[signalName]);
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      killGroup('SIGKILL');
      unwatch();
      // The pipes close when every process holding them is gone; one that left the group
      // (setsid) cannot be killed from here, so its pipes are closed without waiting for it.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, options.killGraceMs);
    });

    child.once('close', () => {
      clearTimeout(drainTimer);
      if (exitStatus === undefined) return;
      stdout.end();
      stderr.end();
      logger.debug({ pid: child.pid, exitStatus, aborted }, 'task process exited');
      if (aborted) reject(signal.reason);
      else resolve(exitStatus);
    });
  });
}
