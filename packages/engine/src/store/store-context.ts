import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.js';
import type { HistoryCache } from './history-cache.js';

/** What happened in the store, for the loops that react (habit 9: notify, poll only as fallback). */
export type StoreEvent =
  | { kind: 'schedule-requested' }
  | { kind: 'versions-saved'; scopeId: number; newVersions: number }
  | { kind: 'builds-started'; buildIds: number[] }
  | { kind: 'build-finished'; buildId: number }
  /** Pending builds ended without the runner (an archived pipeline's). */
  | { kind: 'builds-aborted'; buildIds: number[] }
  | { kind: 'pipelines-changed' };

/** Shared by the store's parts: the connection, the clock, the cache and after-commit hooks. */
export class StoreContext {
  private pending: Array<() => void> | null = null;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly db: Db,
    readonly history: HistoryCache,
    readonly now: () => number,
  ) {}

  /**
   * A prepared statement, prepared once per text: preparing costs more than running most of
   * weir's queries. Each text is used in one place, so modes like `pluck()` stay consistent.
   */
  sql<P extends unknown[] | {} = unknown[], R = unknown>(text: string): Statement<P, R> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  /**
   * One transaction per state change. Work queued with `afterCommit` (cache invalidation,
   * events) runs only once the transaction has committed, and is dropped if it rolls back.
   */
  transaction<T>(fn: () => T): T {
    if (this.pending) return fn();
    this.pending = [];
    let queued: Array<() => void>;
    try {
      const result = this.db.transaction(fn).immediate();
      queued = this.pending;
      this.pending = null;
      for (const run of queued) run();
      return result;
    } finally {
      this.pending = null;
    }
  }

  afterCommit(fn: () => void): void {
    if (this.pending) this.pending.push(fn);
    else fn();
  }

  emit(event: StoreEvent): void {
    this.afterCommit(() => {
      for (const listener of this.listeners) listener(event);
    });
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
