import type { Version } from '@weir/resources';
import { WeirError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import type { InstanceVars, PipelineRecord, PipelineRef, PipelineState } from './records.js';
import type { ScheduleRequests } from './schedule-requests.js';
import type { StoreContext } from './store-context.js';
import { findVersionContaining } from './version-match.js';

const DEFAULT_TEAM = 'main';

/** A pipeline as the engine saves it: the config plus what was derived from it. */
export interface PipelineSave {
  ref: PipelineRef;
  /** The interpolated pipeline config as canonical JSON (`canonicalJson`), stored as the source of the plan. */
  configJson: string;
  /**
   * The config version the caller read. A mismatch means someone else set the pipeline in
   * between, and the save is refused. 0 means "the pipeline must not exist yet".
   */
  expectedConfigVersion?: number;
  /** Whether a pipeline created by this save starts paused. */
  pausedIfNew?: boolean;
  /**
   * Set by a `set_pipeline` step, that job and build become its parent, renewing its lease; null
   * (set by hand) makes it the user's, which no job lets go; absent (`self`) keeps what it was.
   */
  parent?: { jobId: number; buildId: number; expireAfterMs: number | null } | null;
  resources: ResourceSave[];
  jobs: JobSave[];
}

/**
 * `unchanged`: a parent set the same config again (only its renewal was saved); `superseded`: a newer
 * build of the parent job already set it, so this older one changed nothing.
 */
export interface SaveResult {
  /** Without its config: the caller has it, and parsing a large one back held the engine's thread. */
  pipeline: PipelineState;
  created: boolean;
  outcome: 'created' | 'updated' | 'unchanged' | 'superseded';
  /** For `superseded`: the newer build's id. */
  supersededBy?: number;
}

export interface ResourceSave {
  name: string;
  /** The previous name (`old_name:`), so a renamed resource keeps its history. */
  oldName?: string;
  type: string;
  /** Canonical JSON, as the pipeline's. */
  configJson: string;
  /** Identical resources (type, source, and the type's own definition) share this key. */
  scopeKey: string;
  /** The resource's `version:`: the pin it asks for. */
  configPin: Version | null;
}

export interface JobSave {
  name: string;
  oldName?: string;
  /** Canonical JSON, as the pipeline's. */
  configJson: string;
  /** Resources the job gets (a new version of one may change its next build). */
  inputResources: string[];
  /** Jobs named in `passed` (a build of one finishing may change its next build). */
  upstreamJobs: string[];
  serialGroups: string[];
}

interface PipelineRow {
  id: number;
  team: string;
  name: string;
  instance_vars: string;
  config: string;
  config_version: number;
  paused: number;
  archived: number;
  created_at: number;
  updated_at: number;
  parent_job_id: number | null;
  parent_build_id: number | null;
  parent_set_at: number | null;
  expire_after_ms: number | null;
  retiring: string | null;
  teardown_build_id: number | null;
  teardown_status: string | null;
}

const STATE_COLUMNS = `p.id, t.name AS team, p.name, p.instance_vars, p.config_version, p.paused,
  p.archived, p.created_at, p.updated_at, p.parent_job_id, p.parent_build_id, p.parent_set_at, p.expire_after_ms,
  p.retiring, p.teardown_build_id, (SELECT status FROM builds WHERE id = p.teardown_build_id) AS teardown_status`;
const PIPELINE_COLUMNS = `${STATE_COLUMNS}, p.config`;

/** What the lifecycle pass needs of a pipeline that has a parent or is being torn down. */
export interface LifecycleRow {
  id: number;
  name: string;
  instanceVars: InstanceVars;
  parent: {
    jobId: number;
    buildId: number;
    setAt: number;
    /** `pipeline/job`, or null when the job was deleted with its pipeline. */
    label: string | null;
    jobActive: boolean;
    pipelineArchived: boolean;
    /** The newest succeeded build of the parent job, for Concourse's "stopped setting it" rule. */
    lastSucceeded: { id: number; name: string } | null;
  } | null;
  expireAfterMs: number | null;
  retiring: string | null;
  teardownJobId: number | null;
  teardownBuildId: number | null;
  /** The newest build of the teardown job: a teardown triggered by hand counts too. */
  lastTeardown: { id: number; status: string; error: string | null } | null;
}

/** How many pipelines' parsed configs `sharedById` keeps. */
const SHARED_CONFIGS = 16;

export class PipelineStore {
  /**
   * Parsed configs by pipeline id, for `sharedById`, with what identifies the stored text. The id
   * of a destroyed pipeline may be reused (no AUTOINCREMENT): destroy forgets its config, and the
   * creation time tells them apart when another process destroyed it.
   */
  private readonly sharedConfigs = new Map<number, { configVersion: number; createdAt: number; config: unknown }>();

  constructor(
    private readonly ctx: StoreContext,
    private readonly requests: ScheduleRequests,
  ) {}

  /** Creates or updates a pipeline, its resources and jobs, in one transaction. */
  save(input: PipelineSave): SaveResult {
    const saved = this.ctx.transaction(() => {
      const teamId = this.teamId(input.ref.team ?? DEFAULT_TEAM);
      const instanceVars = canonicalJson(input.ref.instanceVars ?? {});
      const existing = this.findRow(input.ref);
      const location = describeRef(input.ref);
      if (input.expectedConfigVersion !== undefined && (existing?.config_version ?? 0) !== input.expectedConfigVersion) {
        throw new WeirError(
          'pipeline-config-conflict',
          `pipeline ${location} changed since you read it (you have config version ${input.expectedConfigVersion}, it is now at ${existing?.config_version ?? 0})`,
          { location, hint: 'load the pipeline again, re-apply your change, and set it again' },
        );
      }
      const parent = input.parent;
      if (existing && parent && existing.parent_job_id === parent.jobId && (existing.parent_build_id ?? 0) > parent.buildId) {
        // As in Concourse: a slower, older build of the job must not roll back what a newer one set.
        return { id: existing.id, created: false, outcome: 'superseded' as const, by: existing.parent_build_id! };
      }
      if (existing && existing.archived === 0 && existing.teardown_build_id !== null && existing.retiring !== null) {
        const status = this.ctx.sql<[number], string>('SELECT status FROM builds WHERE id = ?').pluck().get(existing.teardown_build_id);
        if (status === 'pending' || status === 'started') {
          throw new WeirError(
            'pipeline-tearing-down',
            `pipeline ${location} is being torn down (${existing.retiring}); it cannot be set while its teardown build (id ${existing.teardown_build_id}) is ${status}`,
            {
              location,
              hint: 'set it again once that build has ended (it brings the pipeline back); if the teardown cannot run, `weir archive-pipeline --skip-teardown` archives it without',
            },
          );
        }
      }
      const now = this.ctx.now();
      const config = input.configJson;
      if (parent && existing && existing.archived === 0 && existing.retiring === null && existing.config === config) {
        // Nothing to change but the parent's renewal: a watcher re-setting fifty unchanged
        // instances each build must not reschedule them all.
        this.saveParent(existing.id, parent, now);
        return { id: existing.id, created: false, outcome: 'unchanged' as const };
      }
      let pipelineId: number;
      if (existing) {
        pipelineId = existing.id;
        // A pipeline set again comes back from archived (or a failed teardown) as a new one would.
        this.ctx
          .sql(`UPDATE pipelines SET config = ?, config_version = config_version + 1,
              paused = CASE WHEN archived = 1 THEN ? ELSE paused END, archived = 0, retiring = NULL, teardown_build_id = NULL,
              updated_at = ? WHERE id = ?`)
          .run(config, input.pausedIfNew ? 1 : 0, now, pipelineId);
      } else {
        pipelineId = Number(
          this.ctx
            .sql(`INSERT INTO pipelines (team_id, name, instance_vars, config, config_version, paused, created_at, updated_at)
              VALUES (?, ?, ?, ?, 1, ?, ?, ?)`)
            .run(teamId, input.ref.name, instanceVars, config, input.pausedIfNew ? 1 : 0, now, now).lastInsertRowid,
        );
      }
      if (parent !== undefined) this.saveParent(pipelineId, parent, now);
      const resourceIds = this.saveResources(pipelineId, input.resources);
      this.saveJobs(pipelineId, input.jobs, resourceIds);
      this.requests.pipeline(pipelineId);
      this.ctx.afterCommit(() => this.ctx.history.forgetAll());
      this.ctx.emit({ kind: 'pipelines-changed' });
      return { id: pipelineId, created: !existing, outcome: existing ? ('updated' as const) : ('created' as const) };
    });
    const { outcome } = saved;
    return { pipeline: this.stateById(saved.id)!, created: saved.created, outcome, ...('by' in saved && { supersededBy: saved.by }) };
  }

  private saveParent(id: number, parent: NonNullable<PipelineSave['parent']> | null, now: number): void {
    this.ctx
      .sql('UPDATE pipelines SET parent_job_id = ?, parent_build_id = ?, parent_set_at = ?, expire_after_ms = ? WHERE id = ?')
      .run(parent?.jobId ?? null, parent?.buildId ?? null, parent ? now : null, parent?.expireAfterMs ?? null, id);
  }

  get(ref: PipelineRef): PipelineRecord | undefined {
    const row = this.findRow(ref);
    return row && toRecord(row);
  }

  /** As `get`, without the config: the API looks a pipeline up by name on most requests. */
  getState(ref: PipelineRef): PipelineState | undefined {
    const row = this.ctx
      .sql<[string, string, string], Omit<PipelineRow, 'config'>>(`SELECT ${STATE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id
        WHERE t.name = ? AND p.name = ? AND p.instance_vars = ?`)
      .get(ref.team ?? DEFAULT_TEAM, ref.name, canonicalJson(ref.instanceVars ?? {}));
    return row && toState(row);
  }

  /** Every pipeline of this name in its team, whatever its instance vars, archived ones too. */
  instancesOf(ref: { team?: string; name: string }): PipelineRecord[] {
    return this.ctx
      .sql<[string, string], PipelineRow>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id
        WHERE t.name = ? AND p.name = ? ORDER BY p.instance_vars`)
      .all(ref.team ?? DEFAULT_TEAM, ref.name)
      .map(toRecord);
  }

  byId(id: number): PipelineRecord | undefined {
    const row = this.ctx
      .sql<[number], PipelineRow>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id WHERE p.id = ?`)
      .get(id);
    return row && toRecord(row);
  }

  /**
   * As `byId`, but the config is parsed once per config version and the same object returned to
   * every caller, who must not change it. A build starting reads its pipeline: 100 builds of a
   * 2,000-job pipeline starting at once each parsed its 272 KiB config (3.3 ms each on an idle
   * machine), holding the engine's thread for over 300 ms; and the resource type registry's
   * cache, keyed by the config object, now hits.
   */
  sharedById(id: number): PipelineRecord | undefined {
    const state = this.stateById(id);
    if (!state) return undefined;
    const cached = this.sharedConfigs.get(id);
    if (cached && cached.configVersion === state.configVersion && cached.createdAt === state.createdAt) {
      // Most recently used last, so the oldest is the first evicted.
      this.sharedConfigs.delete(id);
      this.sharedConfigs.set(id, cached);
      return { ...state, config: cached.config };
    }
    const text = this.configText(id);
    if (text === undefined) return undefined;
    const config: unknown = JSON.parse(text);
    this.sharedConfigs.delete(id);
    this.sharedConfigs.set(id, { configVersion: state.configVersion, createdAt: state.createdAt, config });
    if (this.sharedConfigs.size > SHARED_CONFIGS) this.sharedConfigs.delete(this.sharedConfigs.keys().next().value!);
    return { ...state, config };
  }

  /** As `byId`, without the config. */
  stateById(id: number): PipelineState | undefined {
    const row = this.ctx
      .sql<[number], Omit<PipelineRow, 'config'>>(`SELECT ${STATE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id WHERE p.id = ?`)
      .get(id);
    return row && toState(row);
  }

  /** The stored config as its canonical JSON text, without parsing it. */
  configText(id: number): string | undefined {
    return this.ctx.sql<[number], string>('SELECT config FROM pipelines WHERE id = ?').pluck().get(id);
  }

  /** Just the name, without reading the config. */
  nameOf(id: number): string | undefined {
    return this.ctx.sql<[number], string>('SELECT name FROM pipelines WHERE id = ?').pluck().get(id);
  }

  /** Every pipeline, instances of one name together, in name order. */
  list(options: { includeArchived?: boolean } = {}): PipelineRecord[] {
    const rows = this.ctx
      .sql<[number], PipelineRow>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id
        WHERE p.archived = 0 OR ? ORDER BY t.name, p.name, p.instance_vars`)
      .all(options.includeArchived ? 1 : 0);
    return rows.map(toRecord);
  }

  /** As `list`, without the configs: a dashboard of hundreds of pipelines does not parse them all. */
  listStates(options: { includeArchived?: boolean } = {}): PipelineState[] {
    const rows = this.ctx
      .sql<[number], Omit<PipelineRow, 'config'>>(`SELECT ${STATE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id
        WHERE p.archived = 0 OR ? ORDER BY t.name, p.name, p.instance_vars`)
      .all(options.includeArchived ? 1 : 0);
    return rows.map(toState);
  }

  setPaused(id: number, paused: boolean): void {
    this.ctx.transaction(() => {
      const pipeline = this.require(id);
      if (pipeline.archived && !paused) {
        throw new WeirError('pipeline-archived', `pipeline ${pipeline.name} is archived and cannot be unpaused`, {
          location: pipeline.name,
          hint: 'set the pipeline again to bring it back',
        });
      }
      this.ctx.sql('UPDATE pipelines SET paused = ?, updated_at = ? WHERE id = ?').run(paused ? 1 : 0, this.ctx.now(), id);
      this.requests.pipeline(id);
      this.ctx.emit({ kind: 'pipelines-changed' });
    });
  }

  /**
   * Stops everything a pipeline does and keeps its history: it is paused, its pending builds
   * are aborted, its resources are no longer checked. Setting it again brings it back.
   */
  archive(id: number): void {
    this.ctx.transaction(() => {
      this.require(id);
      const now = this.ctx.now();
      this.ctx.sql('UPDATE pipelines SET archived = 1, paused = 1, updated_at = ? WHERE id = ?').run(now, id);
      const aborted = this.ctx
        .sql<[number, string, number], number>(
          "UPDATE builds SET status = 'aborted', ended_at = ?, error = ? WHERE pipeline_id = ? AND status = 'pending' RETURNING id",
        )
        .pluck()
        .all(now, 'the pipeline was archived before the build started', id);
      this.ctx.emit({ kind: 'pipelines-changed' });
      if (aborted.length > 0) this.ctx.emit({ kind: 'builds-aborted', buildIds: aborted });
    });
  }

  /** Records that a pipeline is being torn down, why, and by which build. */
  markRetiring(id: number, reason: string, teardownBuildId: number): void {
    this.ctx.sql('UPDATE pipelines SET retiring = ?, teardown_build_id = ?, updated_at = ? WHERE id = ?').run(reason, teardownBuildId, this.ctx.now(), id);
    this.ctx.emit({ kind: 'pipelines-changed' });
  }

  /** Keeps why a pipeline was archived, for the API to show. */
  archiveFor(id: number, reason: string): void {
    this.ctx.transaction(() => {
      this.ctx.sql('UPDATE pipelines SET retiring = ? WHERE id = ?').run(reason, id);
      this.archive(id);
    });
  }

  /** Every unarchived pipeline that has a parent or is being torn down, with what decides its fate. */
  lifecycleRows(): LifecycleRow[] {
    const rows = this.ctx
      .sql<[], {
        id: number; name: string; instance_vars: string; parent_job_id: number | null; parent_build_id: number | null; parent_set_at: number | null;
        expire_after_ms: number | null; retiring: string | null; teardown_build_id: number | null;
        parent_job: string | null; parent_pipeline: string | null; parent_job_active: number | null; parent_pipeline_archived: number | null;
        last_succeeded_id: number | null; last_succeeded_name: string | null; teardown_job_id: number | null;
        last_teardown_id: number | null; last_teardown_status: string | null; last_teardown_error: string | null;
      }>(`
        SELECT p.id, p.name, p.instance_vars, p.parent_job_id, p.parent_build_id, p.parent_set_at, p.expire_after_ms, p.retiring,
          p.teardown_build_id, j.name AS parent_job, pp.name AS parent_pipeline, j.active AS parent_job_active,
          pp.archived AS parent_pipeline_archived, s.id AS last_succeeded_id, s.name AS last_succeeded_name,
          tj.id AS teardown_job_id, tb.id AS last_teardown_id, tb.status AS last_teardown_status, tb.error AS last_teardown_error
        FROM pipelines p
        LEFT JOIN jobs j ON j.id = p.parent_job_id
        LEFT JOIN pipelines pp ON pp.id = j.pipeline_id
        LEFT JOIN builds s ON s.id = (SELECT MAX(id) FROM builds WHERE job_id = p.parent_job_id AND status = 'succeeded')
        LEFT JOIN jobs tj ON tj.pipeline_id = p.id AND tj.active = 1 AND tj.name = json_extract(p.config, '$.teardown_job')
        LEFT JOIN builds tb ON tb.id = (SELECT MAX(id) FROM builds WHERE job_id = tj.id)
        WHERE p.archived = 0 AND (p.parent_job_id IS NOT NULL OR p.retiring IS NOT NULL)`)
      .all();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      instanceVars: JSON.parse(row.instance_vars) as InstanceVars,
      parent:
        row.parent_job_id === null
          ? null
          : {
              jobId: row.parent_job_id,
              buildId: row.parent_build_id ?? 0,
              setAt: row.parent_set_at ?? 0,
              label: row.parent_job === null ? null : `${row.parent_pipeline}/${row.parent_job}`,
              jobActive: row.parent_job_active === 1,
              pipelineArchived: row.parent_pipeline_archived === 1,
              lastSucceeded: row.last_succeeded_id === null ? null : { id: row.last_succeeded_id, name: row.last_succeeded_name ?? '' },
            },
      expireAfterMs: row.expire_after_ms,
      retiring: row.retiring,
      teardownJobId: row.teardown_job_id,
      teardownBuildId: row.teardown_build_id,
      lastTeardown: row.last_teardown_id === null ? null : { id: row.last_teardown_id, status: row.last_teardown_status ?? '', error: row.last_teardown_error },
    }));
  }

  /** Deletes a pipeline with its jobs, builds and resources; histories nobody else shares go too. */
  destroy(id: number): void {
    this.ctx.transaction(() => {
      this.require(id);
      this.ctx.sql('DELETE FROM pipelines WHERE id = ?').run(id);
      this.sharedConfigs.delete(id);
      this.ctx.sql('DELETE FROM resource_scopes WHERE id NOT IN (SELECT scope_id FROM resources)').run();
      this.ctx.afterCommit(() => this.ctx.history.forgetAll());
      this.ctx.emit({ kind: 'pipelines-changed' });
    });
  }

  /** Renames every instance of a pipeline; ids, and so history, stay. */
  rename(ref: PipelineRef, newName: string): void {
    this.ctx.transaction(() => {
      const pipeline = this.findRow(ref);
      if (!pipeline) throw notFound(ref);
      const clash = this.ctx
        .sql('SELECT 1 FROM pipelines WHERE team_id = (SELECT team_id FROM pipelines WHERE id = ?) AND name = ?')
        .get(pipeline.id, newName);
      if (clash) {
        throw new WeirError('pipeline-exists', `a pipeline named ${newName} already exists`, {
          location: newName,
          hint: 'choose another name, or destroy that pipeline first',
        });
      }
      this.ctx
        .sql('UPDATE pipelines SET name = ?, updated_at = ? WHERE team_id = (SELECT team_id FROM pipelines WHERE id = ?) AND name = ?')
        .run(newName, this.ctx.now(), pipeline.id, pipeline.name);
      this.ctx.emit({ kind: 'pipelines-changed' });
    });
  }

  private require(id: number): PipelineRecord {
    const pipeline = this.byId(id);
    if (!pipeline) throw new WeirError('pipeline-not-found', `no pipeline with id ${id}`, { hint: 'list pipelines to see their ids' });
    return pipeline;
  }

  private teamId(team: string): number {
    const id = this.ctx.sql<[string], number>('SELECT id FROM teams WHERE name = ?').pluck().get(team);
    if (id === undefined) {
      throw new WeirError('team-not-found', `no team named ${team}`, { location: team, hint: `weir has one team for now: ${DEFAULT_TEAM}` });
    }
    return id;
  }

  private findRow(ref: PipelineRef): PipelineRow | undefined {
    return this.ctx
      .sql<[string, string, string], PipelineRow>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines p JOIN teams t ON t.id = p.team_id
        WHERE t.name = ? AND p.name = ? AND p.instance_vars = ?`)
      .get(ref.team ?? DEFAULT_TEAM, ref.name, canonicalJson(ref.instanceVars ?? {}));
  }

  private saveResources(pipelineId: number, resources: ResourceSave[]): Map<string, number> {
    const existing = new Map(
      this.ctx
        .sql<[number], { id: number; name: string; scope_id: number; config_pin: string | null; pinned_version_id: number | null }>(
          'SELECT id, name, scope_id, config_pin, pinned_version_id FROM resources WHERE pipeline_id = ?',
        )
        .all(pipelineId)
        .map((row) => [row.name, row]),
    );
    const wanted = new Set(resources.map((r) => r.name));
    const ids = new Map<string, number>();
    this.ctx.sql('UPDATE resources SET active = 0 WHERE pipeline_id = ?').run(pipelineId);
    for (const resource of resources) {
      this.ctx.sql('INSERT INTO resource_scopes (scope_key, type) VALUES (?, ?) ON CONFLICT (scope_key) DO NOTHING').run(resource.scopeKey, resource.type);
      const scopeId = this.ctx.sql<[string], number>('SELECT id FROM resource_scopes WHERE scope_key = ?').pluck().get(resource.scopeKey)!;
      const previous =
        existing.get(resource.name) ??
        (resource.oldName !== undefined && !wanted.has(resource.oldName) ? existing.get(resource.oldName) : undefined);
      const configPin = resource.configPin ? canonicalJson(resource.configPin) : null;
      const pinnedVersionId = configPin
        ? (findVersionContaining(this.ctx, scopeId, resource.configPin!) ?? null)
        : previous && previous.config_pin === null && previous.scope_id === scopeId
          ? previous.pinned_version_id
          : null;
      const config = resource.configJson;
      if (previous) {
        this.ctx.sql(`UPDATE resources SET name = ?, type = ?, config = ?, scope_id = ?, active = 1, config_pin = ?,
            pinned_version_id = ?, pin_comment = CASE WHEN ? IS NULL THEN pin_comment ELSE NULL END WHERE id = ?`)
          .run(resource.name, resource.type, config, scopeId, configPin, pinnedVersionId, configPin, previous.id);
        // Claimed: a second resource naming the same old_name gets a new history, not this one.
        existing.delete(previous.name);
        ids.set(resource.name, previous.id);
      } else {
        const id = this.ctx
          .sql(`INSERT INTO resources (pipeline_id, name, type, config, scope_id, config_pin, pinned_version_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)`)
          .run(pipelineId, resource.name, resource.type, config, scopeId, configPin, pinnedVersionId).lastInsertRowid;
        ids.set(resource.name, Number(id));
      }
    }
    return ids;
  }

  /**
   * Writes only what changed: a pipeline set again with most jobs as they were (a set_pipeline
   * of itself each build) leaves their rows and links alone. Rewriting all 2,000 jobs' rows and
   * links was most of a save's time, on the event loop.
   */
  private saveJobs(pipelineId: number, jobs: JobSave[], resourceIds: Map<string, number>): void {
    const rows = this.ctx
      .sql<[number], { id: number; name: string; config: string; active: number }>('SELECT id, name, config, active FROM jobs WHERE pipeline_id = ?')
      .all(pipelineId);
    const existing = new Map(rows.map((row) => [row.name, row]));
    const wanted = new Set(jobs.map((j) => j.name));
    const ids = new Map<string, number>();
    const update = this.ctx.sql('UPDATE jobs SET name = ?, config = ?, active = 1 WHERE id = ?');
    const insert = this.ctx.sql('INSERT INTO jobs (pipeline_id, name, config) VALUES (?, ?, ?)');
    for (const job of jobs) {
      const previous =
        existing.get(job.name) ?? (job.oldName !== undefined && !wanted.has(job.oldName) ? existing.get(job.oldName) : undefined);
      if (previous) {
        if (previous.name !== job.name || previous.config !== job.configJson || previous.active !== 1) update.run(job.name, job.configJson, previous.id);
        existing.delete(job.name);
        if (job.oldName !== undefined) existing.delete(job.oldName);
        ids.set(job.name, previous.id);
      } else {
        ids.set(job.name, Number(insert.run(pipelineId, job.name, job.configJson).lastInsertRowid));
      }
    }
    const activeIds = new Set(ids.values());
    const deactivate = this.ctx.sql('UPDATE jobs SET active = 0, schedule_requested = 0 WHERE id = ?');
    for (const row of rows) if (row.active === 1 && !activeIds.has(row.id)) deactivate.run(row.id);

    const inputs: Array<[number, number]> = [];
    const upstreams: Array<[number, number]> = [];
    const groups: Array<[number, string]> = [];
    for (const job of jobs) {
      const jobId = ids.get(job.name)!;
      for (const name of job.inputResources) {
        const resourceId = resourceIds.get(name);
        if (resourceId !== undefined) inputs.push([jobId, resourceId]);
      }
      for (const name of job.upstreamJobs) {
        const upstreamId = ids.get(name);
        if (upstreamId !== undefined) upstreams.push([jobId, upstreamId]);
      }
      for (const group of job.serialGroups) groups.push([jobId, group]);
    }
    this.syncLinks(
      this.ctx.sql<[number], [number, number]>('SELECT job_id, resource_id FROM job_input_resources WHERE job_id IN (SELECT id FROM jobs WHERE pipeline_id = ?)').raw().all(pipelineId),
      inputs,
      this.ctx.sql('INSERT OR IGNORE INTO job_input_resources (job_id, resource_id) VALUES (?, ?)'),
      this.ctx.sql('DELETE FROM job_input_resources WHERE job_id = ? AND resource_id = ?'),
    );
    this.syncLinks(
      this.ctx.sql<[number], [number, number]>('SELECT job_id, upstream_job_id FROM job_upstreams WHERE job_id IN (SELECT id FROM jobs WHERE pipeline_id = ?)').raw().all(pipelineId),
      upstreams,
      this.ctx.sql('INSERT OR IGNORE INTO job_upstreams (job_id, upstream_job_id) VALUES (?, ?)'),
      this.ctx.sql('DELETE FROM job_upstreams WHERE job_id = ? AND upstream_job_id = ?'),
    );
    const addGroup = this.ctx.sql('INSERT OR IGNORE INTO job_serial_groups (job_id, pipeline_id, name) VALUES (?, ?, ?)');
    this.syncLinks(
      this.ctx.sql<[number], [number, string]>('SELECT job_id, name FROM job_serial_groups WHERE pipeline_id = ?').raw().all(pipelineId),
      groups,
      { run: (jobId: number, name: string) => addGroup.run(jobId, pipelineId, name) },
      this.ctx.sql('DELETE FROM job_serial_groups WHERE job_id = ? AND name = ?'),
    );
  }

  /** Makes a link table hold `wanted` where it held `current`: deletes and inserts the difference. */
  private syncLinks<K extends number | string>(
    current: Array<[number, K]>,
    wanted: Array<[number, K]>,
    add: { run(jobId: number, key: K): unknown },
    remove: { run(jobId: number, key: K): unknown },
  ): void {
    const key = ([jobId, other]: [number, K]): string => `${jobId}\u0000${other}`;
    const held = new Set(current.map(key));
    const kept = new Set<string>();
    for (const link of wanted) {
      const k = key(link);
      kept.add(k);
      if (!held.has(k)) add.run(link[0], link[1]);
    }
    for (const link of current) if (!kept.has(key(link))) remove.run(link[0], link[1]);
  }
}

function toRecord(row: PipelineRow): PipelineRecord {
  return { ...toState(row), config: JSON.parse(row.config) };
}

function toState(row: Omit<PipelineRow, 'config'>): PipelineState {
  return {
    id: row.id,
    team: row.team,
    name: row.name,
    instanceVars: JSON.parse(row.instance_vars) as InstanceVars,
    configVersion: row.config_version,
    paused: row.paused === 1,
    archived: row.archived === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    parent: row.parent_job_id === null ? null : { jobId: row.parent_job_id, buildId: row.parent_build_id ?? 0, setAt: row.parent_set_at ?? 0 },
    expireAfterMs: row.expire_after_ms,
    retiring: row.retiring,
    teardownBuildId: row.teardown_build_id,
    teardownStatus: row.teardown_status,
  };
}

export function describeRef(ref: PipelineRef): string {
  const vars = ref.instanceVars && Object.keys(ref.instanceVars).length > 0 ? `/${canonicalJson(ref.instanceVars)}` : '';
  return `${ref.team ?? DEFAULT_TEAM}/${ref.name}${vars}`;
}

function notFound(ref: PipelineRef): WeirError {
  return new WeirError('pipeline-not-found', `no pipeline ${describeRef(ref)}`, {
    location: describeRef(ref),
    hint: 'check the name and instance vars; list pipelines to see what exists',
  });
}
