import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WeirError } from '../errors.js';
import { ApiViews } from './api-views.js';
import { BuildEventStore } from './build-event-store.js';
import { BuildLogStore } from './build-log-store.js';
import { BuildStore } from './build-store.js';
import { DataDirLock } from './data-dir-lock.js';
import { createPrivateFile, makeDataDirPrivate, type PermissionFix } from './data-dir-permissions.js';
import { HistoryCache } from './history-cache.js';
import { JobStore } from './job-store.js';
import { openDatabase, type Db } from './open-database.js';
import { MIGRATIONS } from './migrations/index.js';
import { PipelineStore } from './pipeline-store.js';
import { ResourceStore } from './resource-store.js';
import { ScheduleRequests } from './schedule-requests.js';
import { SchedulingStore } from './scheduling-store.js';
import { SecretStore } from './secret-store.js';
import { StoreContext, type StoreEvent } from './store-context.js';

export interface StoreOptions {
  /** A data directory (locked against a second engine), or `:memory:` for tests. */
  dataDir: string;
  now?: () => number;
  /** fsync at every commit, so a commit survives a power loss too (see openDatabase). */
  syncEveryCommit?: boolean;
}

/** weir's state: one SQLite database, and the only code that speaks SQL to it. */
export class Store {
  readonly pipelines: PipelineStore;
  readonly resources: ResourceStore;
  readonly jobs: JobStore;
  readonly builds: BuildStore;
  readonly buildEvents: BuildEventStore;
  readonly buildLogs: BuildLogStore;
  readonly scheduling: SchedulingStore;
  readonly history: HistoryCache;
  readonly apiViews: ApiViews;
  readonly secrets: SecretStore;
  /** Modes in the data directory that were open to other users and were narrowed at start. */
  readonly permissionFixes: readonly PermissionFix[];
  private readonly ctx: StoreContext;

  private constructor(
    private readonly db: Db,
    private readonly lock: DataDirLock | null,
    now: () => number,
    permissionFixes: readonly PermissionFix[] = [],
  ) {
    this.permissionFixes = permissionFixes;
    this.history = new HistoryCache(db);
    this.ctx = new StoreContext(db, this.history, now);
    const requests = new ScheduleRequests(this.ctx);
    this.pipelines = new PipelineStore(this.ctx, requests);
    this.resources = new ResourceStore(this.ctx, requests);
    this.jobs = new JobStore(this.ctx, requests);
    this.builds = new BuildStore(this.ctx, requests);
    this.buildEvents = new BuildEventStore(this.ctx);
    this.buildLogs = new BuildLogStore(this.ctx, this.buildEvents);
    this.scheduling = new SchedulingStore(this.ctx, this.builds);
    this.apiViews = new ApiViews(this.ctx);
    this.secrets = new SecretStore(this.ctx);
  }

  static open(options: StoreOptions): Store {
    const now = options.now ?? Date.now;
    if (options.dataDir === ':memory:') return new Store(openDatabase(':memory:'), null, now);
    const dir = resolve(options.dataDir);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new WeirError('data-dir-unusable', `cannot create the data directory ${dir}: ${(error as Error).message}`, {
        location: dir,
        hint: 'choose a directory you can write to with --data',
        cause: error,
      });
    }
    const lock = DataDirLock.acquire(dir);
    try {
      const fixes = makeDataDirPrivate(dir);
      const database = join(dir, 'weir.db');
      createPrivateFile(database);
      return new Store(openDatabase(database, MIGRATIONS, { syncEveryCommit: options.syncEveryCommit ?? false }), lock, now, fixes);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Runs several changes as one transaction (one commit, one fsync). */
  transaction<T>(fn: () => T): T {
    return this.ctx.transaction(fn);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    return this.ctx.subscribe(listener);
  }

  /**
   * Rows written through this connection since it opened. The engine is the store's only
   * writer, so while it stays the same every read answers the same: the API's answer cache
   * is keyed by it, and tests see with it that a check wrote nothing.
   */
  totalChanges(): number {
    return this.ctx.sql<[], number>('SELECT total_changes()').pluck().get()!;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.lock?.release();
  }
}
