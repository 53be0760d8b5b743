import type { BuildStatus, InstanceVars } from './records.js';
import type { StoreContext } from './store-context.js';

/** Small reads the HTTP API needs to label what it shows, without loading whole configs. */
export class ApiViews {
  constructor(private readonly ctx: StoreContext) {}

  pipelineLabel(pipelineId: number): { name: string; instanceVars: InstanceVars } | undefined {
    const row = this.ctx
      .sql<[number], { name: string; instance_vars: string }>('SELECT name, instance_vars FROM pipelines WHERE id = ?')
      .get(pipelineId);
    return row && { name: row.name, instanceVars: JSON.parse(row.instance_vars) as InstanceVars };
  }

  jobName(jobId: number): string | undefined {
    return this.ctx.sql<[number], string>('SELECT name FROM jobs WHERE id = ?').pluck().get(jobId);
  }

  /** Whether jobs may use the version as an input of this resource (it is not disabled for it). */
  isVersionEnabled(resourceId: number, versionId: number): boolean {
    return (
      this.ctx
        .sql<[number, number], number>('SELECT 1 FROM resource_disabled_versions WHERE resource_id = ? AND version_id = ?')
        .pluck()
        .get(resourceId, versionId) === undefined
    );
  }

  /** Each active job's latest finished build status and whether it has builds running or waiting: a dashboard's input. */
  jobActivity(): JobActivity[] {
    return this.ctx
      .sql<[], { pipeline_id: number; paused: number; finished: BuildStatus | null; running: number; pending: number }>(
        `SELECT j.pipeline_id, j.paused,
          (SELECT b.status FROM builds b WHERE b.job_id = j.id AND b.status NOT IN ('pending', 'started') ORDER BY b.id DESC LIMIT 1) AS finished,
          EXISTS (SELECT 1 FROM builds b WHERE b.job_id = j.id AND b.status = 'started') AS running,
          EXISTS (SELECT 1 FROM builds b WHERE b.job_id = j.id AND b.status = 'pending') AS pending
        FROM jobs j WHERE j.active = 1`,
      )
      .all()
      .map((row) => ({ pipelineId: row.pipeline_id, paused: row.paused === 1, finished: row.finished, running: row.running === 1, pending: row.pending === 1 }));
  }

  /** How many active resources of each pipeline have a failing check. */
  checkErrorCounts(): Map<number, number> {
    const rows = this.ctx
      .sql<[], { pipeline_id: number; errors: number }>(
        `SELECT r.pipeline_id, COUNT(*) AS errors FROM resources r JOIN resource_scopes s ON s.id = r.scope_id
        WHERE r.active = 1 AND s.check_error IS NOT NULL GROUP BY r.pipeline_id`,
      )
      .all();
    return new Map(rows.map((row) => [row.pipeline_id, row.errors]));
  }
}

export interface JobActivity {
  pipelineId: number;
  paused: boolean;
  /** The status of the job's latest finished build; null before its first one ends. */
  finished: BuildStatus | null;
  running: boolean;
  pending: boolean;
}
