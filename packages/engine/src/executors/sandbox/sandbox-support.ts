import { spawn } from 'node:child_process';
import { WeirError } from '../../errors.js';

/**
 * Whether bubblewrap can make a sandbox on this host: installed, and allowed to create user
 * namespaces. Resolves with nothing when it can; otherwise with the WeirError that tasks needing
 * a sandbox will get, saying what to install or enable. Takes a few milliseconds.
 */
export async function probeSandbox(bwrap = 'bwrap'): Promise<WeirError | undefined> {
  const result = await new Promise<{ code: number | null; stderr: string; missing: boolean }>((resolve) => {
    const child = spawn(bwrap, ['--unshare-user', '--unshare-pid', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, stderr: error.message, missing: (error as NodeJS.ErrnoException).code === 'ENOENT' }));
    child.once('close', (code) => resolve({ code, stderr, missing: false }));
  });
  if (result.missing) {
    return new WeirError('sandbox-unavailable', `bubblewrap (${bwrap}) is not installed, so tasks cannot run in their images`, {
      hint: 'install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), then restart weir',
    });
  }
  if (result.code !== 0) {
    return new WeirError('sandbox-unavailable', `bubblewrap cannot make a sandbox on this host: ${result.stderr.trim() || `it exited with ${result.code}`}`, {
      hint: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run weir where they are allowed',
    });
  }
  return undefined;
}
