import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readlink } from 'node:fs/promises';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';
import { WeirError } from '../../errors.js';
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
      const layout = { ...spec, rootfs };
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
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (cause) => reject(new WeirError('intercept-start-failed', `could not start ${argv[0]}: ${cause.message}`, { cause })));
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  }).finally(release);
  const kill = (): void => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  };
  return { child, exited, kill };
}

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
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/sh' },
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
