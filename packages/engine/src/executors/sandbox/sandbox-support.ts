import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeirError } from '../../errors.js';

/**
 * Pauses before each further attempt of a probe whose sandbox could not be made: a failure that
 * lasts through all of them is the host's, not a moment's (the probe runs at start, when the
 * machine may be busiest). 0.7 s in all, at most.
 */
const PROBE_RETRY_DELAYS_MS = [100, 600];

interface ProbeAttempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  missing: boolean;
}

function probeOnce(bwrap: string): Promise<ProbeAttempt> {
  return new Promise((resolve) => {
    const child = spawn(bwrap, ['--unshare-user', '--unshare-pid', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, signal: null, stderr: error.message, missing: (error as NodeJS.ErrnoException).code === 'ENOENT' }));
    child.once('close', (code, signal) => resolve({ code, signal, stderr, missing: false }));
  });
}

/**
 * Whether bubblewrap can make a sandbox on this host: installed, and allowed to create user
 * namespaces. Resolves with nothing when it can; otherwise with the WeirError that tasks needing
 * a sandbox will get, saying what to install or enable. Takes a few milliseconds; a sandbox that
 * cannot be made is tried again twice, a moment apart, before the host is said to refuse them.
 */
export async function probeSandbox(bwrap = 'bwrap'): Promise<WeirError | undefined> {
  let result = await probeOnce(bwrap);
  for (const delay of PROBE_RETRY_DELAYS_MS) {
    if (result.missing || result.code === 0) break;
    await sleep(delay);
    result = await probeOnce(bwrap);
  }
  if (result.missing) {
    return new WeirError('sandbox-unavailable', `bubblewrap (${bwrap}) is not installed, so tasks cannot run in their images`, {
      hint: 'install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), then restart weir',
    });
  }
  if (result.code !== 0) {
    const how = result.stderr.trim() || (result.signal !== null ? `it was killed by ${result.signal}` : `it exited with ${result.code}`);
    return new WeirError('sandbox-unavailable', `bubblewrap cannot make a sandbox on this host: ${how}`, {
      hint: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run weir where they are allowed',
    });
  }
  return undefined;
}
