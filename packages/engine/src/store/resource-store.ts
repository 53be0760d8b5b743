import type { MetadataField, Version, Versioned } from '@weir/resources';
import { WeirError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import type { ResourceRecord, ScopeRecord, VersionRecord } from './records.js';
import type { ScheduleRequests } from './schedule-requests.js';
import type { StoreContext } from './store-context.js';
import { findVersionContaining } from './version-match.js';

interface ResourceRow {
  id: number;
  pipeline_id: number;
  name: string;
  type: string;
  config: string;
  scope_id: number;
  active: number;
  config_pin: string | null;
  pinned_version_id: number | null;
  pin_comment: string | null;
  check_error: string | null;
  check_error_at: number | null;
}

interface VersionRow {
  id: number;
  scope_id: number;
  version: string;
  metadata: string;
  check_order: number;
  created_at: number;
  gone_at: number | null;
}

/** A history to check: its identity and every active resource that shares it. */
export interface CheckableScope {
  scopeId: number;
  type: string;
  resources: Array<{ id: number; pipelineId: number; name: string; config: Record<string, unknown> }>;
}

const RESOURCE_COLUMNS = `r.id, r.pipeline_id, r.name, r.type, r.config, r.scope_id, r.active, r.config_pin,
  r.pinned_version_id, r.pin_comment, s.check_error, s.check_error_at`;

export class ResourceStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly requests: ScheduleRequests,
  ) {}

  get(pipelineId: number, name: string): ResourceRecord | undefined {
    const row = this.ctx
      .sql<[number, string], ResourceRow>(`SELECT ${RESOURCE_COLUMNS} FROM resources r JOIN resource_scopes s ON s.id = r.scope_id
        WHERE r.pipeline_id = ? AND r.name = ? AND r.active = 1`)
      .get(pipelineId, name);
    return row && toResource(row);
  }

  byId(id: number): ResourceRecord | undefined {
    const row = this.ctx
      .sql<[number], ResourceRow>(`SELECT ${RESOURCE_COLUMNS} FROM resources r JOIN resource_scopes s ON s.id = r.scope_id WHERE r.id = ?`)
      .get(id);
    return row && toResource(row);
  }

  list(pipelineId: number): ResourceRecord[] {
    return this.ctx
      .sql<[number], ResourceRow>(`SELECT ${RESOURCE_COLUMNS} FROM resources r JOIN resource_scopes s ON s.id = r.scope_id
        WHERE r.pipeline_id = ? AND r.active = 1 ORDER BY r.name`)
      .all(pipelineId)
      .map(toResource);
  }

  /** Active resources of a pipeline by name, without reading their configs. */
  idsByName(pipelineId: number): Map<string, number> {
    const rows = this.ctx
      .sql<[number], { id: number; name: string }>('SELECT id, name FROM resources WHERE pipeline_id = ? AND active = 1')
      .all(pipelineId);
    return new Map(rows.map((row) => [row.name, row.id]));
  }

  scope(scopeId: number): ScopeRecord | undefined {
    const row = this.ctx
      .sql<[number], { id: number; scope_key: string; type: string; check_error: string | null; check_error_at: number | null; failed_checks: number }>(
        'SELECT * FROM resource_scopes WHERE id = ?',
      )
      .get(scopeId);
    return (
      row && {
        id: row.id,
        key: row.scope_key,
        type: row.type,
        checkError: row.check_error,
        checkErrorAt: row.check_error_at,
        failedChecks: row.failed_checks,
      }
    );
  }

  /** Histories with at least one active resource in a pipeline that is neither paused nor archived. */
  checkableScopes(): CheckableScope[] {
    const rows = this.ctx
      .sql<[], { scope_id: number; type: string; id: number; pipeline_id: number; name: string; config: string }>(`
        SELECT s.id AS scope_id, s.type, r.id, r.pipeline_id, r.name, r.config FROM resources r
        JOIN resource_scopes s ON s.id = r.scope_id JOIN pipelines p ON p.id = r.pipeline_id
        WHERE r.active = 1 AND p.paused = 0 AND p.archived = 0 ORDER BY s.id, r.id`)
      .all();
    const scopes = new Map<number, CheckableScope>();
    for (const row of rows) {
      let scope = scopes.get(row.scope_id);
      if (!scope) scopes.set(row.scope_id, (scope = { scopeId: row.scope_id, type: row.type, resources: [] }));
      scope.resources.push({ id: row.id, pipelineId: row.pipeline_id, name: row.name, config: JSON.parse(row.config) as Record<string, unknown> });
    }
    return [...scopes.values()];
  }

  latestVersion(scopeId: number): VersionRecord | undefined {
    const row = this.ctx
      .sql<[number], VersionRow>('SELECT * FROM resource_versions WHERE scope_id = ? ORDER BY check_order DESC LIMIT 1')
      .get(scopeId);
    return row && toVersion(row);
  }

  version(versionId: number): VersionRecord | undefined {
    const row = this.ctx.sql<[number], VersionRow>('SELECT * FROM resource_versions WHERE id = ?').get(versionId);
    return row && toVersion(row);
  }

  /** A resource's versions, newest first, with whether each is enabled for that resource. */
  listVersions(resourceId: number, options: { limit?: number; olderThan?: number } = {}): Array<VersionRecord & { enabled: boolean }> {
    const resource = this.require(resourceId);
    const rows = this.ctx
      .sql<[number, number, number, number], VersionRow & { disabled: number }>(`
        SELECT v.*, EXISTS (SELECT 1 FROM resource_disabled_versions d WHERE d.resource_id = ? AND d.version_id = v.id) AS disabled
        FROM resource_versions v WHERE v.scope_id = ? AND v.check_order < ? ORDER BY v.check_order DESC LIMIT ?`)
      .all(resourceId, resource.scopeId, options.olderThan ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100);
    return rows.map((row) => ({ ...toVersion(row), enabled: row.disabled === 0 }));
  }

  /**
   * Saves what a check returned, oldest → newest. New versions become the newest in that
   * order; a known version keeps its place if it is the newest already and moves to the top
   * otherwise (so a check reporting an older version makes it current again, as in Concourse).
   * A check that reports nothing new writes nothing.
   */
  saveCheckedVersions(scopeId: number, versions: Versioned[]): { newVersions: number; changed: boolean } {
    return this.ctx.transaction(() => {
      const find = this.ctx.sql<[number, string], { id: number; check_order: number; metadata: string }>(
        'SELECT id, check_order, metadata FROM resource_versions WHERE scope_id = ? AND version = ?',
      );
      const newest = this.ctx
        .sql<[number], { id: number; check_order: number }>('SELECT id, check_order FROM resource_versions WHERE scope_id = ? ORDER BY check_order DESC LIMIT 1')
        .get(scopeId);
      let maxOrder = newest?.check_order ?? 0;
      let newVersions = 0;
      let changed = false;
      let reordered = false;
      versions.forEach((item, index) => {
        const text = canonicalJson(item.version);
        const metadata = canonicalJson(item.metadata ?? []);
        const known = find.get(scopeId, text);
        if (!known) {
          this.ctx.sql('INSERT INTO resource_versions (scope_id, version, metadata, check_order, created_at) VALUES (?, ?, ?, ?, ?)').run(
            scopeId,
            text,
            metadata,
            ++maxOrder,
            this.ctx.now(),
          );
          newVersions += 1;
          changed = true;
          return;
        }
        if (!(index === 0 && known.id === newest?.id)) {
          this.ctx.sql('UPDATE resource_versions SET check_order = ? WHERE id = ?').run(++maxOrder, known.id);
          changed = true;
          reordered = true;
        }
        if (known.metadata !== metadata && item.metadata !== undefined) {
          this.ctx.sql('UPDATE resource_versions SET metadata = ? WHERE id = ?').run(metadata, known.id);
        }
      });
      if (changed) this.afterHistoryChanged(scopeId, newVersions, reordered);
      return { newVersions, changed };
    });
  }

  /**
   * Saves a complete check (a type with `checkReportsAll`): every version that still exists,
   * oldest → newest. Versions after the last one already known are new and saved as any check's;
   * known ones keep their place. A version of the history the check left out is marked gone, and
   * one it reports again is no longer gone. Writes nothing when nothing changed.
   */
  saveCompleteCheck(scopeId: number, versions: Versioned[]): { newVersions: number; changed: boolean; gone: number } {
    return this.ctx.transaction(() => {
      const known = new Map(
        this.ctx
          .sql<[number], { id: number; version: string; gone_at: number | null }>('SELECT id, version, gone_at FROM resource_versions WHERE scope_id = ?')
          .all(scopeId)
          .map((row) => [row.version, row]),
      );
      const reported = versions.map((item) => canonicalJson(item.version));
      const lastKnown = reported.findLastIndex((text) => known.has(text));
      const present = new Set(reported);
      const goneNow: number[] = [];
      const back: number[] = [];
      for (const [text, row] of known) {
        if (!present.has(text) && row.gone_at === null) goneNow.push(row.id);
        if (present.has(text) && row.gone_at !== null) back.push(row.id);
      }
      const mark = this.ctx.sql('UPDATE resource_versions SET gone_at = ? WHERE id = ?');
      for (const id of goneNow) mark.run(this.ctx.now(), id);
      for (const id of back) mark.run(null, id);
      const saved = this.saveCheckedVersions(scopeId, versions.slice(lastKnown + 1));
      if (goneNow.length + back.length > 0 && !saved.changed) this.afterHistoryChanged(scopeId, 0);
      return { ...saved, changed: saved.changed || goneNow.length + back.length > 0, gone: goneNow.length };
    });
  }

  /** Records the version a put created; a known version stays where it is. Returns its id. */
  saveOutputVersion(resourceId: number, output: Versioned): number {
    return this.ctx.transaction(() => {
      const resource = this.require(resourceId);
      const text = canonicalJson(output.version);
      const known = this.ctx
        .sql<[number, string], number>('SELECT id FROM resource_versions WHERE scope_id = ? AND version = ?')
        .pluck()
        .get(resource.scopeId, text);
      if (known !== undefined) return known;
      const order = (this.ctx.sql<[number], number>('SELECT COALESCE(MAX(check_order), 0) FROM resource_versions WHERE scope_id = ?').pluck().get(resource.scopeId) ?? 0) + 1;
      const id = this.ctx
        .sql('INSERT INTO resource_versions (scope_id, version, metadata, check_order, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(resource.scopeId, text, canonicalJson(output.metadata ?? []), order, this.ctx.now()).lastInsertRowid;
      this.afterHistoryChanged(resource.scopeId, 1);
      return Number(id);
    });
  }

  /**
   * The metadata a get returned for a version, kept with it as Concourse keeps it: a check
   * reports versions only, so for most types this is where a version's metadata comes from.
   * Writes nothing when it is unchanged.
   */
  updateVersionMetadata(versionId: number, metadata: MetadataField[]): void {
    this.ctx.sql('UPDATE resource_versions SET metadata = ? WHERE id = ? AND metadata IS NOT ?').run(canonicalJson(metadata), versionId, canonicalJson(metadata));
  }

  /** A failed check: the error shows on every resource of the history. Returns the failure count. */
  recordCheckFailure(scopeId: number, message: string): number {
    return this.ctx.transaction(() => {
      this.ctx
        .sql('UPDATE resource_scopes SET check_error = ?, check_error_at = ?, failed_checks = failed_checks + 1 WHERE id = ?')
        .run(message, this.ctx.now(), scopeId);
      return this.ctx.sql<[number], number>('SELECT failed_checks FROM resource_scopes WHERE id = ?').pluck().get(scopeId) ?? 1;
    });
  }

  /** Clears a recorded check error; writes only if there was one. */
  clearCheckFailure(scopeId: number): void {
    this.ctx
      .sql('UPDATE resource_scopes SET check_error = NULL, check_error_at = NULL, failed_checks = 0 WHERE id = ? AND failed_checks > 0')
      .run(scopeId);
  }

  setVersionEnabled(resourceId: number, versionId: number, enabled: boolean): void {
    this.ctx.transaction(() => {
      const resource = this.require(resourceId);
      this.requireVersionOf(resource, versionId);
      if (enabled) {
        this.ctx.sql('DELETE FROM resource_disabled_versions WHERE resource_id = ? AND version_id = ?').run(resourceId, versionId);
      } else {
        this.ctx.sql('INSERT OR IGNORE INTO resource_disabled_versions (resource_id, version_id) VALUES (?, ?)').run(resourceId, versionId);
      }
      this.ctx.afterCommit(() => this.ctx.history.forgetResource(resourceId));
      this.requests.resource(resourceId);
    });
  }

  /** Pins a resource to one version: every job that gets it uses that version until unpinned. */
  pin(resourceId: number, versionId: number, comment?: string): void {
    this.ctx.transaction(() => {
      const resource = this.require(resourceId);
      this.refuseIfPinnedInConfig(resource, 'pin');
      this.requireVersionOf(resource, versionId);
      this.refuseIfGone(resource, versionId);
      this.ctx.sql('UPDATE resources SET pinned_version_id = ?, pin_comment = ? WHERE id = ?').run(versionId, comment ?? null, resourceId);
      this.ctx.afterCommit(() => this.ctx.history.forgetResource(resourceId));
      this.requests.resource(resourceId);
    });
  }

  unpin(resourceId: number): void {
    this.ctx.transaction(() => {
      const resource = this.require(resourceId);
      this.refuseIfPinnedInConfig(resource, 'unpin');
      this.ctx.sql('UPDATE resources SET pinned_version_id = NULL, pin_comment = NULL WHERE id = ?').run(resourceId);
      this.ctx.afterCommit(() => this.ctx.history.forgetResource(resourceId));
      this.requests.resource(resourceId);
    });
  }

  /** The id of the newest version of the resource whose fields include `fields`. */
  findVersion(resourceId: number, fields: Version): number | undefined {
    return findVersionContaining(this.ctx, this.require(resourceId).scopeId, fields);
  }

  private afterHistoryChanged(scopeId: number, newVersions: number, reordered = false): void {
    const resources = this.ctx
      .sql<[number], { id: number; config_pin: string | null; pinned_version_id: number | null }>(
        'SELECT id, config_pin, pinned_version_id FROM resources WHERE scope_id = ? AND active = 1',
      )
      .all(scopeId);
    for (const resource of resources) {
      if (resource.config_pin !== null && resource.pinned_version_id === null) {
        const pinned = findVersionContaining(this.ctx, scopeId, JSON.parse(resource.config_pin) as Version);
        if (pinned !== undefined) this.ctx.sql('UPDATE resources SET pinned_version_id = ? WHERE id = ?').run(pinned, resource.id);
      }
      this.requests.resource(resource.id);
    }
    this.ctx.afterCommit(() => {
      this.ctx.history.forgetScope(scopeId);
      // Jobs' histories are kept in check order; a version moving up reorders them.
      if (reordered) this.ctx.history.forgetJobHistories();
      for (const resource of resources) this.ctx.history.forgetResource(resource.id);
    });
    this.ctx.emit({ kind: 'versions-saved', scopeId, newVersions });
  }

  private require(resourceId: number): ResourceRecord {
    const resource = this.byId(resourceId);
    if (!resource) throw new WeirError('resource-not-found', `no resource with id ${resourceId}`, { hint: 'list the pipeline\'s resources to see their ids' });
    return resource;
  }

  private requireVersionOf(resource: ResourceRecord, versionId: number): void {
    const version = this.version(versionId);
    if (!version || version.scopeId !== resource.scopeId) {
      throw new WeirError('version-not-found', `resource ${resource.name} has no version with id ${versionId}`, {
        location: resource.name,
        hint: 'list the resource\'s versions to see their ids',
      });
    }
  }

  private refuseIfGone(resource: ResourceRecord, versionId: number): void {
    const version = this.version(versionId);
    if (version?.goneAt == null) return;
    throw new WeirError('version-gone', `version ${JSON.stringify(version.version)} of ${resource.name} no longer exists at its source, so it cannot be pinned`, {
      location: resource.name,
      hint: `a check stopped reporting it on ${new Date(version.goneAt).toISOString()} (pruned or deleted); pin a version that \`weir versions\` does not show as gone`,
    });
  }

  private refuseIfPinnedInConfig(resource: ResourceRecord, action: 'pin' | 'unpin'): void {
    if (resource.pinSource === 'config') {
      throw new WeirError('resource-pinned-in-config', `resource ${resource.name} is pinned by its pipeline config, so it cannot be ${action}ned here`, {
        location: resource.name,
        hint: 'change or remove `version:` on the resource in the pipeline and set it again',
      });
    }
  }
}

function toResource(row: ResourceRow): ResourceRecord {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    name: row.name,
    type: row.type,
    config: JSON.parse(row.config) as Record<string, unknown>,
    scopeId: row.scope_id,
    active: row.active === 1,
    pinnedVersionId: row.pinned_version_id,
    pinSource: row.config_pin !== null ? 'config' : row.pinned_version_id !== null ? 'api' : null,
    pinComment: row.pin_comment,
    checkError: row.check_error,
    checkErrorAt: row.check_error_at,
  };
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    scopeId: row.scope_id,
    version: JSON.parse(row.version) as Version,
    metadata: JSON.parse(row.metadata) as MetadataField[],
    checkOrder: row.check_order,
    createdAt: row.created_at,
    goneAt: row.gone_at,
  };
}
