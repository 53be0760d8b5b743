import { join } from 'node:path';

/** A host path made visible inside the sandbox. */
export interface SandboxMount {
  /** A path on the host: a directory or a file. */
  source: string;
  /** An absolute path inside the sandbox; a later mount may sit inside an earlier one. */
  target: string;
  readOnly?: boolean;
}

/** One entry at the top of a root filesystem, as `listRootEntries` reads it. */
export type RootEntry = { name: string; kind: 'directory' | 'file' } | { name: string; kind: 'symlink'; target: string };

/** Made by bubblewrap itself in every sandbox, whatever the image has there. */
const OWN_MOUNTS = new Set(['proc', 'dev']);

/** Everything that decides what a sandboxed process sees, as bubblewrap arguments take it. */
export interface SandboxLayout {
  /**
   * The root filesystem: each of its top-level entries is mounted read-only over an empty root,
   * so a task never changes the image another task sees, and bubblewrap can still make mount
   * points at the top (a read-only image has no room for them).
   */
  rootfs: string;
  /** Mounted in order, after the root, /proc and /dev. */
  mounts?: readonly SandboxMount[];
  /** Empty in-memory directories (e.g. `/run`); the caller decides which paths need to be writable. */
  tmpfs?: readonly string[];
  /** The working directory inside the sandbox; it must exist there (a mount or a directory of the image). */
  cwd: string;
  /** The user and group the process runs as inside the sandbox (default 0, root of its own user namespace). */
  uid?: number;
  gid?: number;
  /** Share the host's network (Concourse's default); false gives the sandbox only its own loopback. */
  network?: boolean;
  hostname?: string;
  /** All capabilities inside the sandbox's user namespace (`privileged: true`): never any on the host. */
  allCapabilities?: boolean;
  /**
   * The process is given a terminal made for it alone (an intercept session's pseudo-terminal),
   * which it keeps as its controlling terminal: Ctrl-C then interrupts the program in the
   * foreground instead of ending the sandbox, and a window size change reaches it as SIGWINCH.
   * Otherwise `--new-session` takes the sandbox out of the terminal it was started from.
   */
  ownTerminal?: boolean;
}

/**
 * bubblewrap's arguments for a layout, before the command. Every namespace bubblewrap can
 * make without privileges is new: user (so root inside is not root outside), pid (the sandbox
 * sees only its own processes, and its pid 1 takes every process with it when it exits), ipc,
 * uts, mount (the sandbox sees the image and the listed mounts, nothing else of the host), and
 * network unless `network` is true. The root itself is a small tmpfs, read-only once every mount
 * is made. `--die-with-parent` ends the sandbox when the process that
 * started it dies, even by SIGKILL; `--new-session` keeps a task from typing into a terminal
 * (TIOCSTI), unless the terminal is its own (`ownTerminal`): what it could type there is read
 * by its own processes only.
 */
export function bubblewrapArgs(layout: SandboxLayout, rootEntries: readonly RootEntry[]): string[] {
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(layout.network === false ? ['--unshare-net'] : []),
    '--die-with-parent',
    ...(layout.ownTerminal === true ? [] : ['--new-session']),
    '--uid',
    String(layout.uid ?? 0),
    '--gid',
    String(layout.gid ?? 0),
    ...(layout.hostname === undefined ? [] : ['--hostname', layout.hostname]),
    '--tmpfs',
    '/',
  ];
  for (const entry of rootEntries) {
    if (OWN_MOUNTS.has(entry.name)) continue;
    if (entry.kind === 'symlink') args.push('--symlink', entry.target, `/${entry.name}`);
    else args.push('--ro-bind', join(layout.rootfs, entry.name), `/${entry.name}`);
  }
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
  );
  for (const path of layout.tmpfs ?? []) args.push('--tmpfs', path);
  for (const mount of layout.mounts ?? []) args.push(mount.readOnly ? '--ro-bind' : '--bind', mount.source, mount.target);
  if (layout.allCapabilities) args.push('--cap-add', 'ALL');
  else args.push('--cap-drop', 'ALL');
  args.push('--remount-ro', '/', '--chdir', layout.cwd);
  return args;
}
