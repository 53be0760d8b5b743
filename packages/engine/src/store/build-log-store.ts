import type { RetentionCandidate } from '../retention/build-log-retention.js';
import type { BuildEventStore } from './build-event-store.js';
import type { StoreContext } from './store-context.js';

/** What the build log collector reads and deletes. */
export class BuildLogStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly events: BuildEventStore,
  ) {}

  /**
   * Jobs that declare a log retention (every job, with `all`: the engine gives each one), with
   * their config; as in Concourse, jobs of paused pipelines and paused jobs keep their logs
   * until they run again.
   */
  jobsWithRetention(all = false): Array<{ id: number; config: Record<string, unknown> }> {
    return this.ctx
      .sql<[number], { id: number; config: string }>(`
        SELECT j.id, j.config FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
        WHERE j.active = 1 AND j.paused = 0 AND p.archived = 0 AND p.paused = 0
          AND (? OR json_extract(j.config, '$.build_log_retention') IS NOT NULL OR json_extract(j.config, '$.build_logs_to_retain') IS NOT NULL)
        ORDER BY j.id`)
      .all(all ? 1 : 0)
      .map((row) => ({ id: row.id, config: JSON.parse(row.config) as Record<string, unknown> }));
  }

  /** The job's builds whose logs are still there, newest first. */
  buildsWithLogs(jobId: number): RetentionCandidate[] {
    return this.ctx
      .sql<[number], { id: number; status: RetentionCandidate['status']; ended_at: number | null }>(
        'SELECT id, status, ended_at FROM builds WHERE job_id = ? AND logs_deleted_at IS NULL ORDER BY id DESC',
      )
      .all(jobId)
      .map((row) => ({ id: row.id, status: row.status, endedAt: row.ended_at }));
  }

  /** Deletes a finished build's log lines (see BuildEventStore.deleteLogLines) and marks it done. */
  deleteLogs(buildId: number): number {
    return this.ctx.transaction(() => {
      const deleted = this.events.deleteLogLines(buildId, (count) => `${count} log line${count === 1 ? ' was' : 's were'} deleted by build log retention (the job's build_log_retention, or the engine's default)`);
      this.ctx.sql('UPDATE builds SET logs_deleted_at = ? WHERE id = ?').run(this.ctx.now(), buildId);
      return deleted;
    });
  }
}
