import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Programs the git tests run: git itself and the servers that come with it (or with OpenSSH). */
export type ServerBinary = 'git' | 'git-daemon' | 'git-http-backend' | 'sshd' | 'ssh' | 'ssh-keygen';

/** Where a binary is, or undefined. git's servers live in `git --exec-path`, sshd usually in /usr/sbin. */
export function findBinary(name: ServerBinary): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  if (name === 'git-daemon' || name === 'git-http-backend') {
    const execPath = runQuietly('git', ['--exec-path']);
    if (execPath) dirs.unshift(execPath);
  }
  if (name === 'sshd') dirs.push('/usr/sbin', '/usr/local/sbin');
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

/**
 * Whether the tests needing these binaries can run. A missing binary skips them on a developer
 * machine (with a message saying what to install), but must not turn CI green: under CI=true it throws.
 */
export function haveBinaries(...names: ServerBinary[]): boolean {
  const missing = names.filter((name) => findBinary(name) === undefined);
  if (missing.length === 0) return true;
  const message = `${missing.join(', ')} not found: install git${missing.some((name) => name.startsWith('ssh')) ? ' and openssh-server/openssh-client' : ''} to run these tests`;
  if (process.env.CI === 'true') throw new Error(`${message}; they cannot be skipped under CI`);
  console.warn(`skipping git tests: ${message}`);
  return false;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runQuietly(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
