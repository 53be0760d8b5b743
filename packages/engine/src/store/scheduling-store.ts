import type { SchedulingDecisions } from '../scheduler/decisions.js';
import { queueOrderSql } from '../scheduler/queue-place.js';
import type { ChosenInput } from '../scheduler/snapshot.js';
import type { BuildStore } from './build-store.js';
import type { StoreContext } from './store-context.js';

/** A requested job as the scheduling loop needs it, before its config is turned into inputs. */
export interface SchedulingJobRow {
  id: number;
  name: string;
  /** Absent when `loadJobs` was told the caller already has what it needs from this config version. */
  config: Record<string, unknown> | undefined;
  paused: boolean;
  pipelineId: number;
  pipelineName: string;
  pipelinePaused: boolean;
  /** The pipeline is being torn down and this is not its teardown job: it starts nothing. */
  pipelineRetiring: boolean;
  pipelineConfigVersion: number;
  pendingBuilds: Array<{ id: number; name: string; manuallyTriggered: boolean; rerunInputs: ChosenInput[] | null }>;
  runningBuildCount: number;
}

export interface SerialGroupRow {
  pipelineId: number;
  name: string;
  runningBuildCount: number;
  pendingBuildIds: number[];
}

/** The scheduler's persistence: what it reads for requested jobs and how its decisions are saved. */
export class SchedulingStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly builds: BuildStore,
  ) {}

  /**
   * The requested jobs with their pipelines' state. A job's config is parsed only when
   * `hasConfig` says the caller does not already hold what it derived from this config version:
   * a warm full pass parsed every requested job's config again, a fifth of its time, and
   * garbage enough for a minor collection every pass or two.
   */
  loadJobs(jobIds: readonly number[], hasConfig: (jobId: number, pipelineId: number, configVersion: number) => boolean = () => false): SchedulingJobRow[] {
    if (jobIds.length === 0) return [];
    const ids = JSON.stringify(jobIds);
    // The pipeline's columns are read once per pipeline, not joined to every job row: they lie
    // after its whole config in the row, and reaching them once per job walked the config's
    // overflow pages 500 times a slice (half of the jobs query's time).
    const jobs = this.ctx
      .sql<[string], { id: number; name: string; paused: number; pipeline_id: number }>(`
        SELECT id, name, paused, pipeline_id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND active = 1 ORDER BY id`)
      .all(ids);
    // The teardown job is read from the pipeline's whole config, so only for pipelines being
    // torn down: read per job row, it cost most of a full pass.
    const pipelines = new Map(
      this.ctx
        .sql<[string], { id: number; name: string; config_version: number; paused: number; retiring: number; teardown_job: string | null }>(`
          SELECT id, name, config_version, paused, retiring IS NOT NULL AS retiring,
            CASE WHEN retiring IS NOT NULL THEN json_extract(config, '$.teardown_job') END AS teardown_job
          FROM pipelines WHERE archived = 0 AND id IN (SELECT DISTINCT pipeline_id FROM jobs WHERE id IN (SELECT value FROM json_each(?)))`)
        .all(ids)
        .map((row) => [row.id, row]),
    );
    const listed = jobs.filter((job) => pipelines.has(job.pipeline_id));
    const configs = this.jobConfigs(listed.filter((job) => !hasConfig(job.id, job.pipeline_id, pipelines.get(job.pipeline_id)!.config_version)).map((job) => job.id));
    const byId = new Map<number, SchedulingJobRow>();
    for (const job of listed) {
      const pipeline = pipelines.get(job.pipeline_id)!;
      const retiring = pipeline.retiring === 1;
      // A pipeline (or teardown job) torn down while paused still runs its teardown: archiving it must not hang.
      const isTeardownJob = retiring && pipeline.teardown_job === job.name;
      byId.set(job.id, {
        id: job.id,
        name: job.name,
        config: configs.get(job.id),
        paused: job.paused === 1 && !isTeardownJob,
        pipelineId: job.pipeline_id,
        pipelineName: pipeline.name,
        pipelinePaused: pipeline.paused === 1 && !isTeardownJob,
        pipelineRetiring: retiring && !isTeardownJob,
        pipelineConfigVersion: pipeline.config_version,
        pendingBuilds: [],
        runningBuildCount: 0,
      });
    }
    const active = this.ctx
      .sql<[string], { id: number; job_id: number; name: string; status: string; manually_triggered: number; rerun_of: number | null }>(`
        SELECT id, job_id, name, status, manually_triggered, rerun_of FROM builds
        WHERE job_id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'started') ORDER BY ${queueOrderSql()}`)
      .all(ids);
    const rerunInputs = this.ctx.sql<[number], { name: string; resource_id: number; version_id: number }>(
      'SELECT name, resource_id, version_id FROM build_inputs WHERE build_id = ? ORDER BY name',
    );
    for (const build of active) {
      const job = byId.get(build.job_id);
      if (!job) continue;
      if (build.status === 'started') {
        job.runningBuildCount += 1;
        continue;
      }
      job.pendingBuilds.push({
        id: build.id,
        name: build.name,
        manuallyTriggered: build.manually_triggered === 1,
        rerunInputs:
          build.rerun_of === null
            ? null
            : rerunInputs.all(build.rerun_of).map((row) => ({ name: row.name, resourceId: row.resource_id, versionId: row.version_id, firstOccurrence: false })),
      });
    }
    return [...byId.values()];
  }

  private jobConfigs(jobIds: readonly number[]): Map<number, Record<string, unknown>> {
    if (jobIds.length === 0) return new Map();
    return new Map(
      this.ctx
        .sql<[string], { id: number; config: string }>('SELECT id, config FROM jobs WHERE id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(jobIds))
        .map((row) => [row.id, JSON.parse(row.config) as Record<string, unknown>]),
    );
  }

  /** One job's parsed config, for a build that starts from a job whose config the pass did not read. */
  jobConfig(jobId: number): Record<string, unknown> | undefined {
    const text = this.ctx.sql<[number], string>('SELECT config FROM jobs WHERE id = ?').pluck().get(jobId);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  }

  /**
   * The given jobs and every job that shares a serial group with one of them: the scheduler
   * must see a whole group to start its pending builds in order.
   */
  withSerialGroupPeers(jobIds: readonly number[]): number[] {
    if (jobIds.length === 0) return [];
    const peers = this.ctx
      .sql<[string], number>(`SELECT DISTINCT peer.job_id FROM job_serial_groups mine
        JOIN job_serial_groups peer ON peer.pipeline_id = mine.pipeline_id AND peer.name = mine.name
        WHERE mine.job_id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .all(JSON.stringify(jobIds));
    return [...new Set([...jobIds, ...peers])].sort((a, b) => a - b);
  }

  /** Running and pending builds across all jobs of each named serial group. */
  loadSerialGroups(groups: ReadonlyArray<{ pipelineId: number; name: string }>): SerialGroupRow[] {
    const statement = this.ctx.sql<[number, string], { id: number; status: string }>(`
      SELECT b.id, b.status FROM builds b JOIN job_serial_groups g ON g.job_id = b.job_id
      WHERE g.pipeline_id = ? AND g.name = ? AND b.status IN ('pending', 'started') ORDER BY ${queueOrderSql('b')}`);
    return groups.map(({ pipelineId, name }) => {
      const rows = statement.all(pipelineId, name);
      return {
        pipelineId,
        name,
        runningBuildCount: rows.filter((row) => row.status === 'started').length,
        pendingBuildIds: rows.filter((row) => row.status === 'pending').map((row) => row.id),
      };
    });
  }

  /**
   * Saves one pass in one transaction: new builds, started builds with their inputs, and the
   * requests it answered. A job requested again while the pass ran stays requested, because
   * the pass and every other write run on this one thread, never interleaved.
   */
  apply(
    decisions: SchedulingDecisions,
    answeredJobIds: readonly number[],
    planFor: (jobId: number) => unknown = () => undefined,
  ): { createdBuildIds: number[]; startedBuildIds: number[] } {
    return this.ctx.transaction(() => {
      const createdBuildIds: number[] = [];
      const startedBuildIds: number[] = [];
      for (const creation of decisions.createBuilds) {
        const buildId = this.builds.createScheduled(creation.jobId);
        createdBuildIds.push(buildId);
        if (creation.start) {
          this.builds.start(buildId, creation.jobId, creation.start.inputs, planFor(creation.jobId));
          startedBuildIds.push(buildId);
        }
      }
      for (const start of decisions.startBuilds) {
        this.builds.start(start.buildId, start.jobId, start.inputs, planFor(start.jobId));
        startedBuildIds.push(start.buildId);
      }
      this.ctx.sql<[string]>('UPDATE jobs SET schedule_requested = 0 WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(answeredJobIds));
      if (startedBuildIds.length > 0) this.ctx.emit({ kind: 'builds-started', buildIds: startedBuildIds });
      return { createdBuildIds, startedBuildIds };
    });
  }
}
