import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeirError } from '../errors.js';
import { createPrivateFile } from './data-dir-permissions.js';

const LOCK_FILE = 'engine.lock';
const HOLDER_FILE = 'engine.pid';

/**
 * Keeps a second engine off a data directory. The lock is SQLite's own file lock on a small
 * database held in exclusive locking mode: the operating system drops it when the process
 * dies, so a killed engine never leaves a stale lock behind, and SQLite also makes two
 * connections inside one process conflict.
 */
export class DataDirLock {
  private constructor(
    private readonly dir: string,
    private readonly db: Database.Database,
  ) {}

  static acquire(dir: string): DataDirLock {
    let db: Database.Database;
    try {
      createPrivateFile(join(dir, LOCK_FILE));
      db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
    } catch (error) {
      throw new WeirError('data-dir-unusable', `cannot use the data directory ${dir}: ${(error as Error).message}`, {
        location: dir,
        hint: 'check that it is a directory you can write to, or choose another with --data',
        cause: error,
      });
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at INTEGER); COMMIT');
    } catch (error) {
      db.close();
      if (isBusy(error)) throw alreadyRunning(dir);
      throw error;
    }
    writeFileSync(join(dir, HOLDER_FILE), `${process.pid} ${new Date().toISOString()}\n`, { mode: 0o600 });
    return new DataDirLock(dir, db);
  }

  release(): void {
    rmSync(join(this.dir, HOLDER_FILE), { force: true });
    this.db.close();
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');
}

function alreadyRunning(dir: string): WeirError {
  let holder = 'another process';
  try {
    const [pid, since] = readFileSync(join(dir, HOLDER_FILE), 'utf8').trim().split(' ');
    if (pid) holder = `the engine with pid ${pid}${since ? `, running since ${since}` : ''}`;
  } catch {
    // The holder file is informational; the lock itself is what counts.
  }
  return new WeirError('data-dir-locked', `the data directory ${dir} is in use by ${holder}`, {
    location: dir,
    hint: 'stop that engine first, or give this one another directory with --data',
  });
}
