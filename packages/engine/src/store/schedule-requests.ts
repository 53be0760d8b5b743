import type { StoreContext } from './store-context.js';

/**
 * Marks jobs whose next build may have changed (habit 2). The scheduler recomputes only
 * marked jobs; marks are durable, so a restarted engine finishes what it was asked to do.
 */
export class ScheduleRequests {
  private readonly byJob;
  private readonly byPipeline;
  private readonly byResource;
  private readonly downstream;
  private readonly serialPeers;

  constructor(private readonly ctx: StoreContext) {
    this.byJob = ctx.sql('UPDATE jobs SET schedule_requested = 1 WHERE id = ? AND active = 1');
    // Rows already marked are not written again: a pipeline of 2,000 jobs is set in one transaction.
    this.byPipeline = ctx.sql('UPDATE jobs SET schedule_requested = 1 WHERE pipeline_id = ? AND active = 1 AND schedule_requested = 0');
    this.byResource = ctx.sql(`UPDATE jobs SET schedule_requested = 1
      WHERE active = 1 AND id IN (SELECT job_id FROM job_input_resources WHERE resource_id = ?)`);
    this.downstream = ctx.sql(`UPDATE jobs SET schedule_requested = 1
      WHERE active = 1 AND id IN (SELECT job_id FROM job_upstreams WHERE upstream_job_id = ?)`);
    this.serialPeers = ctx.sql(`UPDATE jobs SET schedule_requested = 1
      WHERE active = 1 AND id IN (
        SELECT peer.job_id FROM job_serial_groups mine
        JOIN job_serial_groups peer ON peer.pipeline_id = mine.pipeline_id AND peer.name = mine.name
        WHERE mine.job_id = ?)`);
  }

  job(jobId: number): void {
    this.byJob.run(jobId);
    this.ctx.emit({ kind: 'schedule-requested' });
  }

  pipeline(pipelineId: number): void {
    this.byPipeline.run(pipelineId);
    this.ctx.emit({ kind: 'schedule-requested' });
  }

  /** Jobs that get this resource: a new version, a pin, a version enabled or disabled. */
  resource(resourceId: number): void {
    if (this.byResource.run(resourceId).changes > 0) this.ctx.emit({ kind: 'schedule-requested' });
  }

  /** A build of the job finished: the job itself, jobs downstream of it, its serial group. */
  afterBuildOf(jobId: number): void {
    this.byJob.run(jobId);
    this.downstream.run(jobId);
    this.serialPeers.run(jobId);
    this.ctx.emit({ kind: 'schedule-requested' });
  }
}
