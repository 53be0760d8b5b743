import Database from 'better-sqlite3';
import { WeirError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;

/**
 * SQLite's page cache, in KiB. better-sqlite3 builds SQLite
 * with 16 MB, held in the engine's RSS once a scheduling pass has read the histories; the
 * scheduler keeps what it needs in its own cache (HistoryCache), and a page missing here is read
 * from the OS's file cache. 4 MB holds the B-trees' inner pages of a 10× bench store (130 MB).
 */
const PAGE_CACHE_KIB = 4000;

export interface OpenDatabaseOptions {
  /** fsync the WAL at every commit (`synchronous = FULL`); default NORMAL. */
  syncEveryCommit?: boolean;
}

/**
 * Opens (or creates) weir's database and brings its schema up to date.
 *
 * Durability: WAL with `synchronous = NORMAL` by default. A commit is then in the WAL file (in
 * the OS's cache) before it returns, so it survives the engine crashing or being killed; the
 * WAL is fsynced at each checkpoint, so a power loss can lose the last commits but never
 * corrupts the database. FULL (`syncEveryCommit`, `weir up --sync-every-commit`) fsyncs at every
 * commit, so a commit also survives a power loss; it costs one fsync per state change, and a
 * trivial build makes several (its start, its events, its end), which on a disk with slow
 * fsyncs bounds how many builds a second the engine runs (`pnpm bench builds` measures both).
 */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.syncEveryCommit ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    applyMigrations(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function applyMigrations(db: Db, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) {
    throw new WeirError(
      'database-too-new',
      `the database was written by a newer weir (schema version ${newest}; this weir knows up to ${known})`,
      { hint: 'run the newer weir, or start this one with another --data directory' },
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    })();
  }
}
