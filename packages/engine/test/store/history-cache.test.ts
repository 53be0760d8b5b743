import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { VersionOrderTable } from '../../src/store/version-order-table.js';
import { testEngine } from '../support/engine.js';

describe('version order table', () => {
  it('answers what was set, across pages, and nothing for what was not or was deleted', () => {
    const table = new VersionOrderTable();
    const ids = [1, 2, 1023, 1024, 1025, 5000, 2 ** 31 + 7, 2 ** 40];
    ids.forEach((id, n) => table.set(id, n * 1001));
    ids.forEach((id, n) => expect(table.get(id)).toBe(n * 1001));
    expect(table.get(3)).toBeUndefined();
    expect(table.get(999_999)).toBeUndefined();
    table.delete(1024);
    expect(table.get(1024)).toBeUndefined();
    expect(table.get(1025)).toBe(4004);
    table.set(1024, 2 ** 53 - 1);
    expect(table.get(1024)).toBe(2 ** 53 - 1);
    table.clear();
    expect(ids.map((id) => table.get(id))).toEqual(ids.map(() => undefined));
  });
});

const PIPELINE = `
resources:
- name: repo
  type: mock
  check_every: never
  source: {initial_version: a}
- name: lib
  type: mock
  check_every: never
  source: {initial_version: l}
jobs:
- name: build
  plan:
  - get: repo
    trigger: true
  - get: lib
    trigger: true
- name: deploy
  plan:
  - get: repo
    trigger: true
    passed: [build]
  - get: lib
    passed: [build]
`;

/** What the history cache must answer, read straight from the database. */
function fromDatabase(db: Database.Database) {
  const passedRows = `
    SELECT x.build_id, x.version_id FROM (
      SELECT i.build_id, i.resource_id, i.version_id FROM build_inputs i UNION SELECT o.build_id, o.resource_id, o.version_id FROM build_outputs o
    ) x JOIN builds b ON b.id = x.build_id JOIN resource_versions v ON v.id = x.version_id JOIN resources r ON r.id = x.resource_id
    WHERE b.job_id = ? AND x.resource_id = ? AND b.status = 'succeeded' AND v.scope_id = r.scope_id`;
  return {
    versionsNewestFirst: (resourceId: number) =>
      db.prepare('SELECT v.id FROM resource_versions v JOIN resources r ON r.scope_id = v.scope_id WHERE r.id = ? ORDER BY v.check_order DESC').pluck().all(resourceId),
    checkOrder: (versionId: number) => db.prepare('SELECT check_order FROM resource_versions WHERE id = ?').pluck().get(versionId),
    passedVersionsNewestFirst: (jobId: number, resourceId: number) =>
      db.prepare(`SELECT DISTINCT p.version_id FROM (${passedRows}) p JOIN resource_versions v ON v.id = p.version_id ORDER BY v.check_order DESC`).pluck().all(jobId, resourceId),
    passedBuilds: (jobId: number, resourceId: number, versionId: number) =>
      db.prepare(`SELECT DISTINCT build_id FROM (${passedRows}) WHERE version_id = ? ORDER BY build_id`).pluck().all(jobId, resourceId, versionId),
    usedAsInput: (jobId: number, name: string, versionId: number) =>
      db.prepare('SELECT 1 FROM build_inputs i JOIN builds b ON b.id = i.build_id WHERE b.job_id = ? AND i.name = ? AND i.version_id = ?').get(jobId, name, versionId) !== undefined,
    latestUsedAsInput: (jobId: number, name: string) =>
      db
        .prepare('SELECT i.version_id FROM build_inputs i JOIN builds b ON b.id = i.build_id JOIN resource_versions v ON v.id = i.version_id WHERE b.job_id = ? AND i.name = ? ORDER BY v.check_order DESC LIMIT 1')
        .pluck()
        .get(jobId, name),
  };
}

describe('history cache', () => {
  it('answers as the database does, warm and after every change that drops part of it', () => {
    const engine = testEngine();
    const { store } = engine;
    const { pipeline } = engine.setPipeline({ name: 'app', text: PIPELINE });
    const resources = store.resources.list(pipeline.id);
    const jobs = [...store.jobs.idsByName(pipeline.id).values()];
    const truth = fromDatabase((store as unknown as { db: Database.Database }).db);
    let outcome = 0;
    const compare = (): void => {
      for (const resource of resources) {
        const versions = truth.versionsNewestFirst(resource.id) as number[];
        expect(store.history.versionsNewestFirst(resource.id)).toEqual(versions);
        for (const versionId of versions) expect(store.history.checkOrder(versionId)).toBe(truth.checkOrder(versionId));
        for (const jobId of jobs) {
          expect(store.history.passedVersionsNewestFirst(jobId, resource.id)).toEqual(truth.passedVersionsNewestFirst(jobId, resource.id));
          for (const versionId of versions) {
            expect(store.history.passedBuilds(jobId, resource.id, versionId)).toEqual(truth.passedBuilds(jobId, resource.id, versionId));
            expect(store.history.usedAsInput(jobId, resource.name, versionId)).toBe(truth.usedAsInput(jobId, resource.name, versionId));
          }
          expect(store.history.latestUsedAsInput(jobId, resource.name)).toBe(truth.latestUsedAsInput(jobId, resource.name));
        }
      }
    };
    const settle = (): void => {
      for (let pass = engine.scheduler.runOnce(); pass.startedBuildIds.length > 0; pass = engine.scheduler.runOnce()) {
        // Every third build fails: its versions are used, but not passed.
        for (const id of pass.startedBuildIds) store.builds.finish(id, outcome++ % 3 === 2 ? 'failed' : 'succeeded');
        compare();
      }
    };
    for (const [n, resource] of resources.entries()) {
      store.resources.saveCheckedVersions(resource.scopeId, [{ version: { ref: `${n}-0` } }, { version: { ref: `${n}-1` } }]);
    }
    settle();
    for (let round = 2; round < 11; round++) {
      // Two rounds in three only lib moves: repo's newest version goes through several builds.
      for (const [n, resource] of resources.entries()) {
        if (round % 3 === 0 || resource.name === 'lib') store.resources.saveCheckedVersions(resource.scopeId, [{ version: { ref: `${n}-${round}` } }]);
      }
      compare();
      settle();
      // A version reported again moves up: it reorders the histories.
      store.resources.saveCheckedVersions(resources[0]!.scopeId, [{ version: { ref: '0-0' } }]);
      compare();
      settle();
    }
    // The history covers many versions, and versions that passed several builds (moved up, then reused).
    const build = store.jobs.idsByName(pipeline.id).get('build')!;
    const repo = store.resources.get(pipeline.id, 'repo')!;
    const passed = store.history.passedVersionsNewestFirst(build, repo.id);
    expect(passed.length).toBeGreaterThan(3);
    expect(Math.max(...passed.map((id) => store.history.passedBuilds(build, repo.id, id).length))).toBeGreaterThanOrEqual(3);
  });
});
