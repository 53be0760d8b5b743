import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/index.js';
import { tempDataDir, testEngine } from '../support/engine.js';

const PIPELINE = `
resources:
- name: repo
  type: mock
  source: {initial_version: a}
- name: image
  type: mock
  source: {initial_version: i}
jobs:
- name: unit
  plan:
  - get: repo
  - put: image
- name: lint
  plan:
  - get: source
    resource: repo
`;

/**
 * Builds of two jobs, interleaved as a busy installation writes them: unit succeeds with repo a
 * (and puts image x), fails with b, succeeds with c; lint uses c then a under another input name.
 */
function storeWithHistory() {
  const dataDir = tempDataDir();
  const engine = testEngine({ dataDir });
  const { pipeline } = engine.setPipeline({ name: 'app', text: PIPELINE });
  const store = engine.store;
  const repo = store.resources.get(pipeline.id, 'repo')!;
  const image = store.resources.get(pipeline.id, 'image')!;
  store.resources.saveCheckedVersions(repo.scopeId, ['a', 'b', 'c', 'd'].map((version) => ({ version: { version } })));
  store.resources.saveCheckedVersions(image.scopeId, [{ version: { version: 'x' } }]);
  const version = (resourceId: number, name: string) => store.resources.listVersions(resourceId).find((v) => v.version.version === name)!.id;
  const jobs = store.jobs.idsByName(pipeline.id);
  const unit = jobs.get('unit')!;
  const lint = jobs.get('lint')!;
  const build = (jobId: number, name: string, repoVersion: string, status: 'succeeded' | 'failed', outputs: Array<{ resourceId: number; versionId: number }> = []) => {
    const id = store.builds.createScheduled(jobId);
    store.builds.start(id, jobId, [{ name, resourceId: repo.id, versionId: version(repo.id, repoVersion), firstOccurrence: true }]);
    store.builds.finish(id, status, outputs);
    return id;
  };
  const unitA = build(unit, 'repo', 'a', 'succeeded', [{ resourceId: image.id, versionId: version(image.id, 'x') }]);
  build(lint, 'source', 'c', 'succeeded');
  build(unit, 'repo', 'b', 'failed');
  build(lint, 'source', 'a', 'failed');
  const unitC = build(unit, 'repo', 'c', 'succeeded');
  return { engine, dataDir, repo, image, unit, lint, unitA, unitC, version };
}

/** What the scheduler reads of the two jobs' histories, by version name. */
function historyOf(store: Store, setup: ReturnType<typeof storeWithHistory>) {
  const { repo, image, unit, lint } = setup;
  const names = new Map<number, string>();
  for (const resourceId of [repo.id, image.id]) {
    for (const v of store.resources.listVersions(resourceId)) names.set(v.id, v.version.version ?? '');
  }
  const named = (ids: readonly number[]) => ids.map((id) => names.get(id));
  const h = store.history;
  const versionId = (resourceId: number, name: string) => [...names].find(([id, n]) => n === name && store.resources.listVersions(resourceId).some((v) => v.id === id))![0];
  return {
    unitUsed: ['a', 'b', 'c', 'd'].filter((v) => h.usedAsInput(unit, 'repo', versionId(repo.id, v))),
    lintUsed: ['a', 'b', 'c', 'd'].filter((v) => h.usedAsInput(lint, 'source', versionId(repo.id, v))),
    lintUsedUnderOtherName: h.usedAsInput(lint, 'repo', versionId(repo.id, 'c')),
    unitLatest: names.get(h.latestUsedAsInput(unit, 'repo')!),
    lintLatest: names.get(h.latestUsedAsInput(lint, 'source')!),
    unitPassedRepo: named(h.passedVersionsNewestFirst(unit, repo.id)),
    unitPassedImage: named(h.passedVersionsNewestFirst(unit, image.id)),
    lintPassedRepo: named(h.passedVersionsNewestFirst(lint, repo.id)),
    unitBuildsOfC: h.passedBuilds(unit, repo.id, versionId(repo.id, 'c')),
    unitBuildsOfB: h.passedBuilds(unit, repo.id, versionId(repo.id, 'b')),
    unitBuildsOfX: h.passedBuilds(unit, image.id, versionId(image.id, 'x')),
  };
}

function expected(setup: ReturnType<typeof storeWithHistory>) {
  return {
    unitUsed: ['a', 'b', 'c'],
    lintUsed: ['a', 'c'],
    lintUsedUnderOtherName: false,
    unitLatest: 'c',
    lintLatest: 'c',
    unitPassedRepo: ['c', 'a'],
    unitPassedImage: ['x'],
    lintPassedRepo: ['c'],
    unitBuildsOfC: [setup.unitC],
    unitBuildsOfB: [],
    unitBuildsOfX: [setup.unitA],
  };
}

describe('store: a job\'s build history, read per job', () => {
  it('answers what a job used and which versions passed it, whatever order builds of many jobs were written in', () => {
    const setup = storeWithHistory();
    expect(historyOf(setup.engine.store, setup)).toEqual(expected(setup));
  });

  it('reads a job\'s history through the by-job indexes, with no lookup per build', () => {
    const setup = storeWithHistory();
    const { store } = setup.engine;
    const db = (store as unknown as { db: Database.Database }).db;
    const statements = store.history as unknown as Record<'passedRows' | 'usedRow' | 'latestUsedRow', { source: string }>;
    const plan = (source: string, ...parameters: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as Array<{ detail: string }>).map((row) => row.detail);
    const details = [
      ...plan(statements.passedRows.source, { job: setup.unit }),
      ...plan(statements.usedRow.source, setup.unit, 'repo', 1),
      ...plan(statements.latestUsedRow.source, setup.unit, 'repo'),
    ];
    expect(details.filter((detail) => /build_(inputs|outputs)_by_job/.test(detail))).toHaveLength(4);
    // A search of a build's own rows, once per build, is what made a cold pass slow.
    expect(details.filter((detail) => /\(build_id=\?\)/.test(detail))).toEqual([]);
  });

  it('reads the same history from a store written before builds\' inputs and outputs carried their job', async () => {
    const setup = storeWithHistory();
    await setup.engine.stop();
    const db = new Database(join(setup.dataDir, 'weir.db'));
    db.exec(`
      DROP INDEX build_inputs_by_job; ALTER TABLE build_inputs DROP COLUMN job_id;
      DROP INDEX build_outputs_by_job; ALTER TABLE build_outputs DROP COLUMN job_id;
      DELETE FROM schema_migrations WHERE version = 9;`);
    db.close();
    const store = Store.open({ dataDir: setup.dataDir });
    try {
      expect(historyOf(store, setup)).toEqual(expected(setup));
    } finally {
      store.close();
    }
  });
});
