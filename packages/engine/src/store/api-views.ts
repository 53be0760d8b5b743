import type { InstanceVars } from './records.js';
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
}
