import { chmodSync, closeSync, lstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WeirError } from '../errors.js';

/** Bits that let a user other than the owner at a path. */
const SHARED_BITS = 0o077;

/** A path whose mode weir narrowed at start, for the start-up log. */
export interface PermissionFix {
  path: string;
  from: string;
  to: string;
}

/**
 * The data directory holds var values, the API token and every build's log: only its owner
 * may read it. Makes the directory 0700 and every file directly in it 0600, and returns what
 * it had to change so the engine can say so; a directory owned by someone else is refused,
 * since narrowing it would lock that user out of their own files.
 */
export function makeDataDirPrivate(dir: string): PermissionFix[] {
  const fixes: PermissionFix[] = [];
  const stats = lstatSync(dir);
  if (!stats.isDirectory()) {
    throw new WeirError('data-dir-unusable', `the data directory ${dir} is not a directory`, {
      location: dir,
      hint: 'choose a directory with --data',
    });
  }
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) {
    throw new WeirError('data-dir-not-owned', `the data directory ${dir} belongs to user ${stats.uid}, not to this user (${process.getuid()})`, {
      location: dir,
      hint: 'run weir as the user who owns the directory, or choose another with --data',
    });
  }
  narrow(dir, stats.mode, 0o700, fixes);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(dir, entry.name);
    narrow(path, lstatSync(path).mode, 0o600, fixes);
  }
  return fixes;
}

/**
 * Creates `path` empty with mode 0600 if it does not exist, so that SQLite, which gives its
 * `-wal` and `-shm` files the mode of the database file, never creates them readable by others.
 */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

function narrow(path: string, mode: number, wanted: number, fixes: PermissionFix[]): void {
  if ((mode & SHARED_BITS) === 0) return;
  chmodSync(path, wanted);
  fixes.push({ path, from: octal(mode), to: octal(wanted) });
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
