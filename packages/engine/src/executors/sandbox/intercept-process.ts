import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readFile, readlink } from 'node:fs/promises';
import { constants } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { WeirError } from '../../errors.js';
import { watchProcessGroup } from '../local/process-group-watchdog.js';
import { bubblewrapArgs } from './bubblewrap-args.js';
import type { ImageStore } from './image-store.js';
import { listRootEntries } from './sandbox-process.js';
import type { TaskContainer } from './task-containers.js';

/** What a user runs in a container: a program, and a terminal of this size when they are at one. */
export interface InterceptCommand {
  argv: [string, ...string[]];
  tty?: { rows: number; cols: number; term?: string };
}

/** A process started in a container; its stdout (and, without a terminal, stderr) are pipes. */
export interface InterceptProcess {
  child: ChildProcess;
  /** The process's exit status (128 + signal for a signal), once it and its output are done. */
  exited: Promise<number>;
  /** Kills the process and whatever it started in the container (not the task's own processes). */
  kill(): void;
  /**
   * With a terminal: gives it this size, which signals the program in its foreground (SIGWINCH).
   * Calls are applied in order; a size that cannot be applied (the process has ended) is dropped.
   */
  resize(size: TerminalSize): Promise<void>;
}

/** The most rows or columns a session's terminal may be given. */
export const MAX_TERMINAL_SIDE = 1000;

export interface TerminalSize {
  rows: number;
  cols: number;
}

export interface InterceptOptions {
  images(): Promise<ImageStore>;
  signal: AbortSignal;
}

/**
 * Starts `command` in a task's container, as the task's user, with its env and working
 * directory. A running task's sandbox is entered with nsenter (user, mount, pid, uts and ipc
 * namespaces of its pid 1): the process sees the task's processes, its /tmp and every file
 * as the task sees them. An ended task's container is a new sandbox on the same layout (the
 * same image, the same working directory with its inputs and outputs, the same env); its
 * in-memory /tmp and home are gone with the task. With `tty`, the host's `script` gives the
 * process a terminal of that size.
 */
export async function startIntercept(container: TaskContainer, command: InterceptCommand, options: InterceptOptions): Promise<InterceptProcess> {
  const { spec } = container;
  let argv: string[];
  let release = (): void => undefined;
  if (container.sandbox !== undefined) {
    const { pid, mountNamespace } = container.sandbox;
    // A pid is only the sandbox's while its mount namespace is: the task may just have ended.
    const namespace = await readlink(`/proc/${pid}/ns/mnt`).catch(() => '');
    if (namespace !== `mnt:[${mountNamespace}]`) {
      throw new WeirError('container-gone', `the task ${container.owner.step} has just ended`, { hint: 'intercept again: its container is then kept if its build fails' });
    }
    argv = [
      await hostProgram('nsenter', 'util-linux'),
      `--target=${pid}`,
      '--user',
      '--mount',
      '--pid',
      '--uts',
      '--ipc',
      '--root',
      // The sandbox's pid 1 runs in the task's working directory (a directory given here would be looked up on the host).
      '--wd',
      `--setuid=${spec.uid}`,
      `--setgid=${spec.gid}`,
      '--',
      ...command.argv,
    ];
  } else {
    let rootfs = spec.image.rootfs;
    if ('key' in spec.image) {
      const key = spec.image.key;
      const lease = await (await options.images()).lease(
        key,
        () => {
          throw new WeirError('container-image-gone', `the image of task ${container.owner.step} is no longer in the image cache`, {
            hint: 'it was evicted to make room for others; run the build again to intercept its container (or raise --image-cache-size)',
          });
        },
        { signal: options.signal, what: `the image of task ${container.owner.step}` },
      );
      rootfs = lease.rootfs;
      release = lease.release;
    }
    try {
      const layout = { ...spec, rootfs, ownTerminal: command.tty !== undefined };
      argv = [await hostProgram('bwrap', 'bubblewrap'), ...bubblewrapArgs(layout, await listRootEntries(rootfs)), '--', ...command.argv];
    } catch (error) {
      release();
      throw error;
    }
  }
  const env = command.tty ? { ...spec.env, TERM: command.tty.term ?? 'xterm' } : spec.env;
  let child: ChildProcess;
  try {
    child = command.tty ? await spawnWithTerminal(argv, env, command.tty) : spawn(argv[0]!, argv.slice(1), { env, detached: true, stdio: 'pipe' });
  } catch (error) {
    release();
    throw error;
  }
  // Detached, the session is no child of the engine's group: without the watchdog, `script` (and
  // with it the sandbox on its terminal, which it alone can hang up) would outlive an engine killed
  // with SIGKILL, re-parented to init, on a kept layout the next start may remove.
  const unwatch = watchProcessGroup(child.pid);
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (cause) => reject(new WeirError('intercept-start-failed', `could not start ${argv[0]}: ${cause.message}`, { cause })));
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  }).finally(() => {
    unwatch();
    release();
  });
  const kill = (): void => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  };
  const resize = command.tty === undefined ? async (): Promise<void> => undefined : terminalResizer(child, await hostProgram('stty', 'coreutils'));
  return { child, exited, kill, resize };
}

/**
 * Sizes the pseudo-terminal `script` made for `child`. `script` has no way to be told a new size
 * while its own stdin is a pipe, so the size is set from outside with `stty -F` on the terminal
 * its command holds as stdin (TIOCSWINSZ: the kernel then signals the terminal's foreground
 * process group). One `stty` at a time, and only the latest size waiting: a window dragged by
 * the user sends many.
 */
function terminalResizer(child: ChildProcess, stty: string): (size: TerminalSize) => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let waiting: TerminalSize | undefined;
  const apply = async (): Promise<void> => {
    const size = waiting;
    waiting = undefined;
    if (size === undefined || child.pid === undefined || child.exitCode !== null) return;
    let terminal = await scriptTerminal(child.pid);
    // Just started: script may not have made its command yet, or the command not set the first size.
    for (let attempt = 0; terminal === undefined && attempt < 20 && child.exitCode === null; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      terminal = await scriptTerminal(child.pid);
    }
    if (terminal === undefined) return;
    await new Promise<void>((resolve) => {
      const setting = spawn(stty, ['-F', terminal, 'rows', String(size.rows), 'cols', String(size.cols)], { stdio: 'ignore' });
      setting.once('error', () => resolve());
      setting.once('close', () => resolve());
    });
  };
  return (size) => {
    waiting = size;
    running = running.then(apply);
    return running;
  };
}

/**
 * The terminal `script` (pid `scriptPid`) gave its command: the command's stdin, a `/dev/pts/N`;
 * none while the command is still the shell that sets the first size (it would undo a new one).
 */
async function scriptTerminal(scriptPid: number): Promise<string | undefined> {
  const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
  for (const pid of children.split(' ').filter((word) => /^\d+$/.test(word))) {
    const argv0 = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0];
    // script starts it as `sh -c LINE` (argv[0] the shell's base name).
    if (argv0 === undefined || argv0 === '' || basename(argv0) === basename(SCRIPT_SHELL)) continue;
    const stdin = await readlink(`/proc/${pid}/fd/0`).catch(() => '');
    if (/^\/dev\/pts\/\d+$/.test(stdin)) return stdin;
  }
  return undefined;
}

/** The shell `script` runs its command line with. */
const SCRIPT_SHELL = '/bin/sh';

/**
 * Runs `argv` under util-linux's `script`, which gives it a pseudo-terminal of the given size;
 * the command line is built for its `/bin/sh -c`, every word quoted, with only `env` passed on.
 */
async function spawnWithTerminal(argv: string[], env: Record<string, string>, tty: { rows: number; cols: number }): Promise<ChildProcess> {
  const script = await hostProgram('script', 'util-linux');
  const stty = await hostProgram('stty', 'coreutils');
  const envProgram = await hostProgram('env', 'coreutils');
  const words = [envProgram, '-i', ...Object.entries(env).map(([name, value]) => `${name}=${value}`), ...argv].map(shellQuote);
  const line = `${shellQuote(stty)} rows ${tty.rows} cols ${tty.cols}; exec ${words.join(' ')}`;
  return spawn(script, ['--quiet', '--return', '--command', line, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: SCRIPT_SHELL },
    detached: true,
    stdio: 'pipe',
  });
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A program of this host, by absolute path: the process's env is the task's, whose PATH is the image's. */
async function hostProgram(name: string, debianPackage: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      await access(path, fsConstants.X_OK);
      return path;
    } catch {
      // Not there.
    }
  }
  throw new WeirError('intercept-unavailable', `${name} is not installed on the engine's host`, { hint: `install it (Debian/Ubuntu: apt-get install ${debianPackage})` });
}
