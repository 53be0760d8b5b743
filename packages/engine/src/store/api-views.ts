import type { BuildStatus, InstanceVars, JobView } from './records.js';
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

  /** The labels of many pipelines in one read: a list of 50 builds must not ask 50 times. */
  pipelineLabels(pipelineIds: readonly number[]): Map<number, { name: string; instanceVars: InstanceVars }> {
    const rows = this.ctx
      .sql<[string], { id: number; name: string; instance_vars: string }>('SELECT id, name, instance_vars FROM pipelines WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(pipelineIds));
    return new Map(rows.map((row) => [row.id, { name: row.name, instanceVars: JSON.parse(row.instance_vars) as InstanceVars }]));
  }

  /** The names of many jobs in one read. */
  jobNames(jobIds: readonly number[]): Map<number, string> {
    const rows = this.ctx
      .sql<[string], { id: number; name: string }>('SELECT id, name FROM jobs WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(jobIds));
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /**
   * A pipeline's active jobs as its job list shows them, in config order, in one read: the two
   * settings the list needs are read out of each config by SQLite, not by parsing all of them
   * (a list of 100 jobs is polled by every open pipeline page), and each job's latest finished
   * and oldest unfinished build come as ids, for one more read of all of them.
   */
  jobListing(pipelineId: number): JobListing[] {
    return this.ctx
      .sql<[number], {
        id: number; pipeline_id: number; name: string; paused: number; next_build_number: number;
        trigger_vars: string | null; disable_manual_trigger: number | null; finished_build_id: number | null; next_build_id: number | null;
      }>(
        `SELECT j.id, j.pipeline_id, j.name, j.paused, j.next_build_number,
          json_extract(j.config, '$.trigger_vars') AS trigger_vars,
          json_extract(j.config, '$.disable_manual_trigger') AS disable_manual_trigger,
          (SELECT b.id FROM builds b WHERE b.job_id = j.id AND b.status NOT IN ('pending', 'started') ORDER BY b.id DESC LIMIT 1) AS finished_build_id,
          (SELECT MIN(b.id) FROM builds b WHERE b.job_id = j.id AND b.status IN ('pending', 'started')) AS next_build_id
        FROM jobs j WHERE j.pipeline_id = ? AND j.active = 1 ORDER BY j.id`,
      )
      .all(pipelineId)
      .map((row) => ({
        job: {
          id: row.id,
          pipelineId: row.pipeline_id,
          name: row.name,
          paused: row.paused === 1,
          nextBuildNumber: row.next_build_number,
          triggerVars: row.trigger_vars === null ? [] : (JSON.parse(row.trigger_vars) as JobView['triggerVars']),
          manualTriggerDisabled: row.disable_manual_trigger === 1,
        },
        finishedBuildId: row.finished_build_id,
        nextBuildId: row.next_build_id,
      }));
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

export interface JobListing {
  job: JobView;
  finishedBuildId: number | null;
  nextBuildId: number | null;
}

export interface JobActivity {
  pipelineId: number;
  paused: boolean;
  /** The status of the job's latest finished build; null before its first one ends. */
  finished: BuildStatus | null;
  running: boolean;
  pending: boolean;
}
