import { WeirError } from '../errors.js';
import { queueOrderSql } from '../scheduler/queue-place.js';
import type { JobRecord } from './records.js';
import type { ScheduleRequests } from './schedule-requests.js';
import type { StoreContext } from './store-context.js';

interface JobRow {
  id: number;
  pipeline_id: number;
  name: string;
  config: string;
  active: number;
  paused: number;
  next_build_number: number;
  schedule_requested: number;
}

export class JobStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly requests: ScheduleRequests,
  ) {}

  get(pipelineId: number, name: string): JobRecord | undefined {
    const row = this.ctx.sql<[number, string], JobRow>('SELECT * FROM jobs WHERE pipeline_id = ? AND name = ? AND active = 1').get(pipelineId, name);
    return row && toJob(row);
  }

  byId(id: number): JobRecord | undefined {
    const row = this.ctx.sql<[number], JobRow>('SELECT * FROM jobs WHERE id = ?').get(id);
    return row && toJob(row);
  }

  list(pipelineId: number): JobRecord[] {
    return this.ctx.sql<[number], JobRow>('SELECT * FROM jobs WHERE pipeline_id = ? AND active = 1 ORDER BY id').all(pipelineId).map(toJob);
  }

  /** Active jobs of a pipeline by name, in config order, without reading their configs. */
  idsByName(pipelineId: number): Map<string, number> {
    const rows = this.ctx
      .sql<[number], { id: number; name: string }>('SELECT id, name FROM jobs WHERE pipeline_id = ? AND active = 1 ORDER BY id')
      .all(pipelineId);
    return new Map(rows.map((row) => [row.name, row.id]));
  }

  /** The resources a job gets, as recorded when its pipeline was set. */
  inputResourceIds(jobId: number): number[] {
    return this.ctx.sql<[number], number>('SELECT resource_id FROM job_input_resources WHERE job_id = ? ORDER BY resource_id').pluck().all(jobId);
  }

  setPaused(jobId: number, paused: boolean): void {
    this.ctx.transaction(() => {
      if (!this.byId(jobId)) throw new WeirError('job-not-found', `no job with id ${jobId}`, { hint: 'list the pipeline\'s jobs to see their ids' });
      this.ctx.sql('UPDATE jobs SET paused = ? WHERE id = ?').run(paused ? 1 : 0, jobId);
      this.requests.job(jobId);
    });
  }

  /**
   * Jobs marked for scheduling, in active pipelines (archived pipelines schedule nothing): the
   * first `limit` by id, or all.
   */
  scheduleRequested(limit?: number): number[] {
    return this.ctx
      .sql<[number], number>(`SELECT j.id FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
        WHERE j.schedule_requested = 1 AND j.active = 1 AND p.archived = 0 ORDER BY j.id LIMIT ?`)
      .pluck()
      .all(limit ?? -1);
  }

  /** How many jobs `scheduleRequested` would list, without listing them. */
  countScheduleRequested(): number {
    return this.ctx
      .sql<[], number>(`SELECT count(*) FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
        WHERE j.schedule_requested = 1 AND j.active = 1 AND p.archived = 0`)
      .pluck()
      .get()!;
  }

  /**
   * Marks the jobs of the oldest `count` pending builds (in queue order) of unpaused jobs in
   * active, unpaused pipelines (and of pipelines being torn down, whose teardown job runs even
   * when paused): those a freed build slot goes to. Says whether more such builds wait behind.
   */
  requestOldestPending(count: number): { more: boolean } {
    // The status is named twice so that SQLite reads the partial index of pending and started builds.
    const jobIds = this.ctx
      .sql<[number], number>(`SELECT b.job_id FROM builds b JOIN jobs j ON j.id = b.job_id JOIN pipelines p ON p.id = j.pipeline_id
        WHERE b.status IN ('pending', 'started') AND b.status = 'pending' AND j.active = 1 AND p.archived = 0 AND ((j.paused = 0 AND p.paused = 0) OR p.retiring IS NOT NULL)
        ORDER BY ${queueOrderSql('b')} LIMIT ?`)
      .pluck()
      .all(count + 1);
    const marked = this.ctx
      .sql<[string]>('UPDATE jobs SET schedule_requested = 1 WHERE schedule_requested = 0 AND id IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(jobIds.slice(0, count)));
    if (marked.changes > 0) this.ctx.emit({ kind: 'schedule-requested' });
    return { more: jobIds.length > count };
  }

  /** Marks every active job for scheduling: used once at start, so nothing waits on a lost event. */
  requestAll(): void {
    this.ctx.sql('UPDATE jobs SET schedule_requested = 1 WHERE active = 1 AND schedule_requested = 0').run();
  }
}

function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    name: row.name,
    config: JSON.parse(row.config) as Record<string, unknown>,
    active: row.active === 1,
    paused: row.paused === 1,
    nextBuildNumber: row.next_build_number,
    scheduleRequested: row.schedule_requested === 1,
  };
}
