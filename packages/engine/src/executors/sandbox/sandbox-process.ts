import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { LineSplitter } from '../local/line-splitter.js';
import { watchProcessGroup } from '../local/process-group-watchdog.js';
import { bubblewrapArgs, type RootEntry, type SandboxLayout } from './bubblewrap-args.js';

export interface SandboxCommand extends SandboxLayout {
  /**
   * The program and its arguments. `argv[0]` is a path inside the sandbox, or a bare name that
   * is looked up in `env.PATH` inside the sandbox (bubblewrap execs it with `execvp`).
   */
  argv: readonly [string, ...string[]];
  /** The whole environment the process sees; nothing of the engine's is passed on. */
  env: Record<string, string>;
  /** Written to the process's stdin, which is then closed; without it stdin is empty. */
  stdin?: string | Buffer;
  /** Aborting ends every process of the sandbox: SIGTERM to each, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  /** Default: 10 s. */
  killGraceMs?: number;
  /**
   * Each line of output (without its newline), in the order printed on each stream. With
   * `collectStdout`, stdout is collected instead and only stderr comes here.
   */
  onOutput?(stream: 'stdout' | 'stderr', line: string): void;
  /** Keep stdout as bytes (a resource's JSON response); more than `maxBytes` errors the run. */
  collectStdout?: { maxBytes: number };
  /** Bubblewrap's path; default `bwrap` on PATH. */
  bwrap?: string;
  logger?: Logger;
  /** Called once the sandbox is set up, with what `weir intercept` needs to enter it. */
  onStarted?(sandbox: SandboxStarted): void;
}

/** A sandbox as bubblewrap reports it once made (`--info-fd`). */
export interface SandboxStarted {
  /** The host pid of the sandbox's pid 1. */
  pid: number;
  /** The inode of its mount namespace: tells the sandbox from a later process that got the same pid. */
  mountNamespace: number;
}

export interface SandboxExit {
  /** The program's exit code, or 128 + the signal's number when a signal ended it. */
  exitStatus: number;
  /** Present with `collectStdout`. */
  stdout?: Buffer;
}

/**
 * bubblewrap reports its own failures (setting up, exec'ing the program) as the last line on
 * stderr with this prefix, and exits 1.
 */
const BWRAP_FAILURE = /^bwrap: (.*)$/;

/**
 * Runs one command in a sandbox made by bubblewrap (see `bubblewrapArgs` for what it can see)
 * and resolves with its exit status once it has exited and its output is delivered. Rejects
 * with `signal.reason` after an abort, once every process of the sandbox is gone, and with a
 * WeirError (`sandbox-start-failed`) when bubblewrap could not set the sandbox up or exec the
 * program (a missing program, a working directory that does not exist).
 *
 * Nothing of the sandbox outlives the command: when it exits, the sandbox's pid 1 exits and the
 * kernel kills the rest of its pid namespace; when the engine dies, `--die-with-parent` does, and
 * the process group watchdog as well: bubblewrap sets its parent-death signal only once it has
 * made the sandbox, so an engine killed in that moment would leave the sandbox running.
 */
export async function runSandboxed(command: SandboxCommand): Promise<SandboxExit> {
  const rootEntries = await listRootEntries(command.rootfs);
  return runBubblewrap(command, rootEntries);
}

/**
 * The top-level entries of a root filesystem. Read each time: a dozen entries, and an image
 * artifact can change between two tasks.
 */
export async function listRootEntries(rootfs: string): Promise<RootEntry[]> {
  let entries;
  try {
    entries = await readdir(rootfs, { withFileTypes: true });
  } catch (cause) {
    throw new WeirError('image-rootfs-missing', `the root filesystem ${rootfs} cannot be read: ${(cause as Error).message}`, {
      hint: 'the image may have been removed from the cache while in use; run the task again',
      cause,
    });
  }
  const found: RootEntry[] = [];
  for (const entry of entries) {
    if (entry.isSymbolicLink()) found.push({ name: entry.name, kind: 'symlink', target: await readlink(join(rootfs, entry.name)) });
    else if (entry.isDirectory()) found.push({ name: entry.name, kind: 'directory' });
    else if (entry.isFile()) found.push({ name: entry.name, kind: 'file' });
  }
  return found;
}

function runBubblewrap(command: SandboxCommand, rootEntries: RootEntry[]): Promise<SandboxExit> {
  const { signal } = command;
  const killGraceMs = command.killGraceMs ?? 10_000;
  const bwrap = command.bwrap ?? 'bwrap';
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    // fd 3 carries bubblewrap's info: the host pid of the sandbox's pid 1, for a graceful abort.
    const args = [...bubblewrapArgs(command, rootEntries), '--info-fd', '3', '--', ...command.argv];
    let child: ChildProcess;
    try {
      child = spawn(bwrap, args, { env: command.env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    } catch (cause) {
      reject(startFailed(`bubblewrap could not be started: ${(cause as Error).message}`, cause));
      return;
    }
    const unwatch = watchProcessGroup(child.pid);
    const stdin = child.stdin as Writable;
    const stdout = child.stdout as Readable;
    const stderr = child.stderr as Readable;
    const info = child.stdio[3] as Readable;

    let sandboxInit: number | undefined;
    let infoText = '';
    let reported = false;
    info.on('data', (chunk: Buffer) => {
      infoText += chunk.toString();
      const match = /"child-pid"\s*:\s*(\d+)/.exec(infoText);
      if (match) sandboxInit = Number(match[1]);
      const mountNamespace = /"mnt-namespace"\s*:\s*(\d+)/.exec(infoText);
      if (!reported && sandboxInit !== undefined && mountNamespace) {
        reported = true;
        command.onStarted?.({ pid: sandboxInit, mountNamespace: Number(mountNamespace[1]) });
      }
    });
    info.on('error', () => undefined);

    stdin.on('error', () => undefined);
    stdin.end(command.stdin ?? '');

    let lastStderrLine = '';
    const stderrLines = new LineSplitter((line) => {
      lastStderrLine = line;
      command.onOutput?.('stderr', line);
    });
    stderr.on('data', (chunk: Buffer) => stderrLines.push(chunk));

    const collected: Buffer[] = [];
    let collectedBytes = 0;
    let tooMuchOutput = false;
    const stdoutLines = new LineSplitter((line) => command.onOutput?.('stdout', line));
    stdout.on('data', (chunk: Buffer) => {
      if (!command.collectStdout) {
        stdoutLines.push(chunk);
        return;
      }
      collectedBytes += chunk.length;
      if (collectedBytes > command.collectStdout.maxBytes) {
        if (!tooMuchOutput) {
          tooMuchOutput = true;
          killSandbox('SIGKILL');
        }
        return;
      }
      collected.push(chunk);
    });

    let aborted = false;
    let exitStatus: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const killSandbox = (name: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        // bubblewrap's own process: its death takes the sandbox with it (--die-with-parent).
        process.kill(-child.pid, name);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'ESRCH') command.logger?.warn({ pid: child.pid, err: cause }, 'could not signal the sandbox');
      }
    };
    const onAbort = (): void => {
      aborted = true;
      // The processes inside get SIGTERM and the grace period to stop; bubblewrap would pass
      // nothing on, and killing it kills them at once.
      if (sandboxInit === undefined) killSandbox('SIGKILL');
      else {
        void signalDescendants(sandboxInit, 'SIGTERM');
        killTimer = setTimeout(() => killSandbox('SIGKILL'), killGraceMs);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });

    child.once('error', (cause) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        missing
          ? new WeirError('sandbox-unavailable', `bubblewrap (${bwrap}) is not installed on this host`, {
              hint: 'install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)',
              cause,
            })
          : startFailed(`bubblewrap could not be started: ${cause.message}`, cause),
      );
    });

    child.once('exit', (code, signalName) => {
      exitStatus = code ?? 128 + (signalName === null ? 0 : constants.signals[signalName]);
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      killSandbox('SIGKILL');
      unwatch();
    });

    child.once('close', () => {
      if (exitStatus === undefined) return;
      stdoutLines.end();
      stderrLines.end();
      command.logger?.debug({ pid: child.pid, exitStatus, aborted }, 'sandboxed process exited');
      if (aborted) reject(signal.reason);
      else if (tooMuchOutput) {
        reject(
          new WeirError('sandbox-output-too-large', `${command.argv[0]} wrote more than ${command.collectStdout!.maxBytes} bytes to stdout`, {
            hint: 'the program must answer with a small JSON document; write logs to stderr',
          }),
        );
        return;
      }
      const failure = exitStatus === 1 ? BWRAP_FAILURE.exec(lastStderrLine)?.[1] : undefined;
      if (failure?.startsWith('execvp ')) reject(startFailed(`${command.argv[0]} could not be started in the sandbox: ${failure.slice('execvp '.length)}`));
      else if (failure !== undefined) reject(startFailed(`the sandbox could not be set up: ${failure}`));
      else resolve(command.collectStdout ? { exitStatus, stdout: Buffer.concat(collected) } : { exitStatus });
    });
  });
}

function startFailed(message: string, cause?: unknown): WeirError {
  return new WeirError('sandbox-start-failed', message, {
    hint: 'check that the program exists in the image (or in an input) at that path and is executable, and that the working directory exists',
    ...(cause !== undefined && { cause }),
  });
}

/**
 * Signals every process below the sandbox's pid 1, found through /proc's children lists: an
 * orphan inside the sandbox is re-parented to its pid 1, so none escapes the walk.
 */
async function signalDescendants(init: number, name: NodeJS.Signals): Promise<void> {
  const queue = [init];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const child of await childrenOf(pid)) {
      queue.push(child);
      try {
        process.kill(child, name);
      } catch {
        // Gone already.
      }
    }
  }
}

/** A process's children, each thread's included (a child belongs to the thread that forked it). */
async function childrenOf(pid: number): Promise<number[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children: number[] = [];
  for (const thread of threads) {
    const text = await readFile(`/proc/${pid}/task/${thread}/children`, 'utf8').catch(() => '');
    for (const word of text.split(' ')) if (word.trim() !== '') children.push(Number(word));
  }
  return children;
}
