import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerEntry } from '../../../resources/test/registry-image/support/images.js';

const BUSYBOX = '/bin/busybox';

/**
 * True when bubblewrap and Debian's busybox-static are installed and bubblewrap can make a
 * sandbox here. Missing: the sandbox tests skip on a developer's machine, saying so, and fail
 * under CI, where skipping would pass without testing anything.
 */
export function requireSandbox(): boolean {
  const missing: string[] = [];
  if ((spawnSync('bwrap', ['--version'], { stdio: 'ignore' }).error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') missing.push('bubblewrap');
  if ((spawnSync(BUSYBOX, ['true'], { stdio: 'ignore' }).error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') missing.push('busybox-static');
  let problem = missing.length > 0 ? `${missing.join(' and ')} not installed (Debian: apt-get install ${missing.join(' ')})` : undefined;
  if (problem === undefined) {
    const failures = probeSandboxes();
    if (failures.length > 0) problem = `bubblewrap cannot make a sandbox here (${failures.length} attempts): ${failures.join('; ')}`;
  }
  if (problem === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`${problem}; sandbox tests cannot be skipped under CI`);
  console.warn(`skipping sandbox tests: ${problem}`);
  return false;
}

/** Pauses before each further attempt: a busy machine may fail to make one sandbox now and then. */
const PROBE_RETRY_DELAYS_MS = [100, 600];

/** Makes a sandbox until one works: nothing when one did, else why each attempt failed. */
function probeSandboxes(): string[] {
  const failures: string[] = [];
  for (let attempt = 0; attempt <= PROBE_RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, PROBE_RETRY_DELAYS_MS[attempt - 1]);
    const probe = spawnSync('bwrap', ['--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', 'true'], { encoding: 'utf8' });
    if (probe.status === 0) return [];
    failures.push(probe.error?.message ?? (probe.stderr.trim() || (probe.signal !== null ? `killed by ${probe.signal}` : `exited with ${probe.status}`)));
  }
  return failures;
}

/** busybox's applets, each as /bin/<name>. */
function applets(): string[] {
  return execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name !== '' && name !== 'busybox');
}

export interface BusyboxImageOptions {
  /** Extra lines of /etc/passwd after root and nobody (e.g. `builder:x:1000:1000::/home/builder:/bin/sh`). */
  users?: string[];
  /** Extra files, by path inside the image. */
  files?: Record<string, string>;
  env?: string[];
  user?: string;
}

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false'];

/**
 * An image directory as Concourse lays image artifacts out: `<dir>/rootfs` holding Debian's
 * static busybox and its applets, an /etc/passwd, and `<dir>/metadata.json`. Made from the
 * host's busybox-static, offline, in a few milliseconds.
 */
export function writeBusyboxImage(dir: string, options: BusyboxImageOptions = {}): string {
  const rootfs = join(dir, 'rootfs');
  for (const path of ['bin', 'etc', 'tmp', 'root', 'home']) mkdirSync(join(rootfs, path), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const name of applets()) symlinkSync('busybox', join(rootfs, 'bin', name));
  writeFileSync(join(rootfs, 'etc/passwd'), [...PASSWD, ...(options.users ?? [])].join('\n') + '\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(join(rootfs, path, '..'), { recursive: true });
    writeFileSync(join(rootfs, path), text);
  }
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ env: options.env ?? ['PATH=/bin'], user: options.user ?? '' }));
  return dir;
}

/** The same busybox root filesystem as one image layer, for pushing to a test registry. */
export function busyboxLayer(options: Pick<BusyboxImageOptions, 'users' | 'files'> = {}): LayerEntry[] {
  return [
    { path: 'bin', dir: true },
    { path: 'bin/busybox', file: readFileSync(BUSYBOX), mode: 0o755 },
    ...applets().map((name) => ({ path: `bin/${name}`, symlink: 'busybox' })),
    { path: 'etc', dir: true },
    { path: 'etc/passwd', file: [...PASSWD, ...(options.users ?? [])].join('\n') + '\n' },
    { path: 'etc/group', file: 'root:x:0:\nnogroup:x:65534:\n' },
    { path: 'tmp', dir: true, mode: 0o1777 },
    { path: 'root', dir: true, mode: 0o700 },
    ...Object.entries(options.files ?? {}).map(([path, file]) => ({ path, file })),
  ];
}
