import type { Statement } from 'better-sqlite3';
import type { VersionFields, VersionHistory } from '../scheduler/snapshot.js';
import type { Db } from './open-database.js';
import { VersionOrderTable } from './version-order-table.js';

interface ScopeVersions {
  newestFirst: number[];
}

/**
 * One resource's versions in a job's succeeded builds. Arrays, not a Map by version: a Map per
 * job and resource took most of the cache's memory at 10× the bench's scale. A version is found
 * by binary search on check order, which only changes together with the job histories.
 */
interface PassedVersions {
  /** Version ids, newest first by check order. */
  newestFirst: readonly number[];
  /** The succeeded builds that had newestFirst[i], ascending; a single build's list is shared by its versions. */
  builds: ReadonlyArray<readonly number[]>;
}

interface JobPassed {
  byResource: Map<number, PassedVersions>;
  /** Resources with versions of a source they no longer have in a succeeded build. */
  earlierHistory: ReadonlySet<number>;
}

/** What a job used as its inputs, as far as it has been asked. */
interface JobInputsUsed {
  /** `name/versionId` → whether some build of the job used the version as that input */
  used: Map<string, boolean>;
  /** input name → the newest version a build of the job used as that input */
  latest: Map<string, number | undefined>;
}

/** resource id, version id, build id, the version's check order and scope */
type PassedRow = [number, number, number, number, number];

const EMPTY: readonly number[] = Object.freeze([]);
/** Most resources have no disabled versions and most jobs no earlier history: one empty set for all. */
const NONE: ReadonlySet<number> = new Set();

/**
 * The scheduler's view of versions and build history, loaded lazily from SQLite and dropped
 * piecewise when the store changes the underlying rows (the store is the only writer). A pass
 * over 1,000 jobs then reads memory, and a new version only reloads its own history.
 */
export class HistoryCache implements VersionHistory {
  private readonly scopeOfResource = new Map<number, number>();
  private readonly scopes = new Map<number, ScopeVersions>();
  private readonly checkOrders = new VersionOrderTable();
  private readonly disabled = new Map<number, ReadonlySet<number>>();
  private readonly gone = new Set<number>();
  private readonly pins = new Map<number, number | null>();
  private readonly passed = new Map<number, JobPassed>();
  private readonly inputsUsed = new Map<number, JobInputsUsed>();

  private readonly resourceRow: Statement<[number], { scope_id: number; pinned_version_id: number | null }>;
  private readonly scopeVersions: Statement<[number], [number, number, number]>;
  private readonly disabledVersions: Statement<[number], number>;
  private readonly passedRows: Statement<[{ job: number }], PassedRow>;
  private readonly usedRow: Statement<[number, string, number], number>;
  private readonly latestUsedRow: Statement<[number, string], number>;
  private readonly versionText: Statement<[number], string>;
  private readonly versionScope: Statement<[number], number>;

  constructor(db: Db) {
    this.resourceRow = db.prepare('SELECT scope_id, pinned_version_id FROM resources WHERE id = ?');
    // id, check order, gone: all in the index on (scope_id, check_order, gone_at).
    this.scopeVersions = db
      .prepare('SELECT id, check_order, gone_at IS NOT NULL AS gone FROM resource_versions WHERE scope_id = ? ORDER BY check_order DESC')
      .raw() as Statement<[number], [number, number, number]>;
    this.disabledVersions = db.prepare('SELECT version_id FROM resource_disabled_versions WHERE resource_id = ?').pluck() as Statement<[number], number>;
    // Versions that went through a succeeded build: its inputs and its outputs, in build order.
    // Both halves read the job's rows of the by-job indexes, kept together whatever the order
    // builds of many jobs were written in, and the job's succeeded builds from their partial
    // index: no lookup per build. Rows come as arrays, and a row repeated (a version both got
    // and put by one build) is skipped while reading: a job's whole history is read at once,
    // so what each row costs counts.
    this.passedRows = db
      .prepare(`
      SELECT x.resource_id, x.version_id, x.build_id, v.check_order, v.scope_id FROM (
        SELECT i.build_id, i.resource_id, i.version_id FROM build_inputs i
          WHERE i.job_id = @job AND i.build_id IN (SELECT b.id FROM builds b WHERE b.job_id = @job AND b.status = 'succeeded')
        UNION ALL
        SELECT o.build_id, o.resource_id, o.version_id FROM build_outputs o
          WHERE o.job_id = @job AND o.build_id IN (SELECT b.id FROM builds b WHERE b.job_id = @job AND b.status = 'succeeded')
      ) x
      JOIN resource_versions v ON v.id = x.version_id
      ORDER BY x.build_id, x.resource_id, x.version_id`)
      .raw() as Statement<[{ job: number }], PassedRow>;
    // What a job used as each input is asked version by version: one seek in the by-job index,
    // not the job's whole history. The newest used (for `every`) is the first build's, on a tie.
    this.usedRow = db.prepare('SELECT 1 FROM build_inputs WHERE job_id = ? AND name = ? AND version_id = ? LIMIT 1').pluck() as Statement<[number, string, number], number>;
    this.latestUsedRow = db
      .prepare(`SELECT i.version_id FROM build_inputs i JOIN resource_versions v ON v.id = i.version_id
        WHERE i.job_id = ? AND i.name = ? ORDER BY v.check_order DESC, i.build_id LIMIT 1`)
      .pluck() as Statement<[number, string], number>;
    this.versionScope = db.prepare('SELECT scope_id FROM resource_versions WHERE id = ?').pluck() as Statement<[number], number>;
    this.versionText = db.prepare('SELECT version FROM resource_versions WHERE id = ?').pluck() as Statement<[number], string>;
  }

  versionsNewestFirst(resourceId: number): readonly number[] {
    const scopeId = this.scopeOf(resourceId);
    return scopeId === undefined ? EMPTY : this.scope(scopeId).newestFirst;
  }

  checkOrder(versionId: number): number {
    const known = this.checkOrders.get(versionId);
    if (known !== undefined) return known;
    const scopeId = this.versionScope.get(versionId);
    if (scopeId !== undefined) this.scope(scopeId);
    return this.checkOrders.get(versionId) ?? 0;
  }

  describeVersion(versionId: number): VersionFields {
    const text = this.versionText.get(versionId);
    return text === undefined ? {} : (JSON.parse(text) as VersionFields);
  }

  isDisabled(resourceId: number, versionId: number): boolean {
    let set = this.disabled.get(resourceId);
    if (!set) {
      const ids = this.disabledVersions.all(resourceId);
      set = ids.length === 0 ? NONE : new Set(ids);
      this.disabled.set(resourceId, set);
    }
    return set.has(versionId);
  }

  isGone(versionId: number): boolean {
    this.checkOrder(versionId);
    return this.gone.has(versionId);
  }

  pinnedVersion(resourceId: number): number | undefined {
    if (!this.pins.has(resourceId)) this.loadResource(resourceId);
    return this.pins.get(resourceId) ?? undefined;
  }

  passedVersionsNewestFirst(jobId: number, resourceId: number): readonly number[] {
    return this.jobPassed(jobId).byResource.get(resourceId)?.newestFirst ?? EMPTY;
  }

  passedEarlierHistory(jobId: number, resourceId: number): boolean {
    return this.jobPassed(jobId).earlierHistory.has(resourceId);
  }

  passedBuilds(jobId: number, resourceId: number, versionId: number): readonly number[] {
    const passed = this.jobPassed(jobId).byResource.get(resourceId);
    if (!passed) return EMPTY;
    const index = this.indexNewestFirst(passed.newestFirst, versionId);
    return index < 0 ? EMPTY : passed.builds[index]!;
  }

  usedAsInput(jobId: number, inputName: string, versionId: number): boolean {
    const { used } = this.jobInputs(jobId);
    const key = `${inputName}/${versionId}`;
    let answer = used.get(key);
    if (answer === undefined) {
      answer = this.usedRow.get(jobId, inputName, versionId) !== undefined;
      used.set(key, answer);
    }
    return answer;
  }

  latestUsedAsInput(jobId: number, inputName: string): number | undefined {
    const { latest } = this.jobInputs(jobId);
    if (!latest.has(inputName)) latest.set(inputName, this.latestUsedRow.get(jobId, inputName));
    return latest.get(inputName);
  }

  /** Called by the store after a change commits. */
  forgetScope(scopeId: number): void {
    const versions = this.scopes.get(scopeId);
    if (versions) {
      for (const id of versions.newestFirst) {
        this.checkOrders.delete(id);
        this.gone.delete(id);
      }
    }
    this.scopes.delete(scopeId);
  }

  forgetResource(resourceId: number): void {
    this.scopeOfResource.delete(resourceId);
    this.pins.delete(resourceId);
    this.disabled.delete(resourceId);
  }

  forgetJobPassed(jobId: number): void {
    this.passed.delete(jobId);
  }

  forgetJobHistories(): void {
    this.passed.clear();
    this.inputsUsed.clear();
  }

  forgetJobInputs(jobId: number): void {
    this.inputsUsed.delete(jobId);
  }

  forgetAll(): void {
    for (const map of [this.scopeOfResource, this.scopes, this.checkOrders, this.disabled, this.pins, this.passed, this.inputsUsed, this.gone]) {
      map.clear();
    }
  }

  private scopeOf(resourceId: number): number | undefined {
    if (!this.scopeOfResource.has(resourceId)) this.loadResource(resourceId);
    return this.scopeOfResource.get(resourceId);
  }

  private loadResource(resourceId: number): void {
    const row = this.resourceRow.get(resourceId);
    if (!row) return;
    this.scopeOfResource.set(resourceId, row.scope_id);
    this.pins.set(resourceId, row.pinned_version_id);
  }

  private scope(scopeId: number): ScopeVersions {
    let versions = this.scopes.get(scopeId);
    if (!versions) {
      const newestFirst: number[] = [];
      for (const [id, checkOrder, gone] of this.scopeVersions.all(scopeId)) {
        newestFirst.push(id);
        this.checkOrders.set(id, checkOrder);
        if (gone === 1) this.gone.add(id);
      }
      // A copy of exactly the rows' length: arrays grown by push keep up to half again as
      // much room, and the cache holds every version of every scope a pass looked at.
      versions = { newestFirst: newestFirst.slice() };
      this.scopes.set(scopeId, versions);
    }
    return versions;
  }

  private jobPassed(jobId: number): JobPassed {
    let history = this.passed.get(jobId);
    if (history) return history;
    const builds = new Map<number, Map<number, number[]>>();
    let earlierHistory: Set<number> | undefined;
    const orders = new Map<number, number>();
    // Most versions went through one build, and a build has several inputs: each build's
    // one-element list is shared by its versions, so a second build copies it; longer lists
    // are a version's own.
    const onlyBuild = new Map<number, number[]>();
    for (const [resourceId, versionId, buildId, checkOrder, scopeId] of this.passedRows.all({ job: jobId })) {
      // Only versions of the resource's current scope count (a changed source starts a new
      // history); the others are kept to say so.
      const currentScope = this.scopeOf(resourceId);
      if (currentScope === undefined) continue;
      if (currentScope !== scopeId) {
        (earlierHistory ??= new Set()).add(resourceId);
        continue;
      }
      let byVersion = builds.get(resourceId);
      if (!byVersion) builds.set(resourceId, (byVersion = new Map()));
      const known = byVersion.get(versionId);
      if (known) {
        if (known[known.length - 1] === buildId) continue;
        if (known.length === 1) byVersion.set(versionId, [known[0]!, buildId]);
        else known.push(buildId);
      } else {
        let single = onlyBuild.get(buildId);
        if (!single) onlyBuild.set(buildId, (single = [buildId]));
        byVersion.set(versionId, single);
        orders.set(versionId, checkOrder);
      }
    }
    history = { byResource: new Map(), earlierHistory: earlierHistory ?? NONE };
    for (const [resourceId, byVersion] of builds) {
      const newestFirst = [...byVersion.keys()].sort((a, b) => (orders.get(b) ?? 0) - (orders.get(a) ?? 0));
      history.byResource.set(resourceId, { newestFirst, builds: newestFirst.map((id) => byVersion.get(id)!) });
    }
    this.passed.set(jobId, history);
    return history;
  }

  /** Where a version is in a list of one scope's versions, newest first; -1 if it is not there. */
  private indexNewestFirst(newestFirst: readonly number[], versionId: number): number {
    const order = this.checkOrder(versionId);
    let low = 0;
    let high = newestFirst.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = newestFirst[middle]!;
      if (at === versionId) return middle;
      if (this.checkOrder(at) > order) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  private jobInputs(jobId: number): JobInputsUsed {
    let inputs = this.inputsUsed.get(jobId);
    if (!inputs) {
      inputs = { used: new Map(), latest: new Map() };
      this.inputsUsed.set(jobId, inputs);
    }
    return inputs;
  }
}
