import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store, WeirError } from '../../src/index.js';
import { tempDataDir, testEngine } from '../support/engine.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

const PIPELINE = `
resources:
- name: repo
  type: mock
  source: {initial_version: a}
jobs:
- name: build
  plan:
  - get: repo
    trigger: true
`;

function setup(text = PIPELINE, name = 'app') {
  const engine = testEngine();
  const { pipeline } = engine.setPipeline({ name, text });
  const repo = engine.store.resources.get(pipeline.id, 'repo')!;
  return { engine, store: engine.store, pipeline, repo };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof WeirError ? error.code : `not a WeirError: ${String(error)}`;
  }
  return undefined;
}

describe('store: opening', () => {
  it('uses WAL, synchronous NORMAL (FULL when asked) and foreign keys, and records applied migrations', () => {
    const dir = tempDataDir();
    Store.open({ dataDir: dir }).close();
    const db = new Database(join(dir, 'weir.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // Every declared migration is applied, in order; version 4 never shipped.
      expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      db.close();
    }
    const store = Store.open({ dataDir: dir });
    try {
      const pragma = (name: string): unknown => (store as unknown as { db: Database.Database }).db.pragma(name, { simple: true });
      expect(pragma('synchronous')).toBe(1);
      expect(pragma('foreign_keys')).toBe(1);
      expect(pragma('cache_size')).toBe(-4000);
    } finally {
      store.close();
    }
    const syncing = Store.open({ dataDir: dir, syncEveryCommit: true });
    try {
      expect((syncing as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      syncing.close();
    }
  });

  it('says what to do when the data directory cannot be used', () => {
    const file = join(tempDataDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    expect(codeOf(() => Store.open({ dataDir: file }))).toBe('data-dir-unusable');
    expect(codeOf(() => Store.open({ dataDir: join(file, 'below') }))).toBe('data-dir-unusable');
  });

  it('refuses a database written by a newer weir', () => {
    const dir = tempDataDir();
    Store.open({ dataDir: dir }).close();
    const db = new Database(join(dir, 'weir.db'));
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 0)").run();
    db.close();
    expect(() => Store.open({ dataDir: dir })).toThrow(/newer weir/);
  });
});

describe('store: pipelines', () => {
  it('keeps instances of one pipeline apart by their instance vars', () => {
    const engine = testEngine();
    const pr1 = engine.setPipeline({ name: 'pr', instanceVars: { pr: 1 }, text: PIPELINE }).pipeline;
    const pr2 = engine.setPipeline({ name: 'pr', instanceVars: { pr: 2 }, text: PIPELINE }).pipeline;
    expect(pr1.id).not.toBe(pr2.id);
    expect(engine.store.pipelines.get({ name: 'pr', instanceVars: { pr: 2 } })!.id).toBe(pr2.id);
    expect(engine.store.pipelines.list().map((p) => p.instanceVars)).toEqual([{ pr: 1 }, { pr: 2 }]);
    // The list without configs is the same list, every field but the config.
    expect(engine.store.pipelines.listStates()).toEqual(engine.store.pipelines.list().map(({ config: _config, ...state }) => state));
    // Identical resources in both instances share one history.
    expect(engine.store.resources.get(pr1.id, 'repo')!.scopeId).toBe(engine.store.resources.get(pr2.id, 'repo')!.scopeId);
  });

  it('pauses, archives (aborting pending builds, keeping history), revives on set, and destroys', () => {
    const { engine, store, pipeline } = setup();
    const jobId = store.jobs.idsByName(pipeline.id).get('build')!;
    const pending = store.builds.createManual(jobId);
    store.pipelines.setPaused(pipeline.id, true);
    expect(store.pipelines.byId(pipeline.id)!.paused).toBe(true);
    expect(store.resources.checkableScopes()).toEqual([]);
    store.pipelines.archive(pipeline.id);
    expect(store.builds.byId(pending.id)!.status).toBe('aborted');
    expect(store.pipelines.list()).toEqual([]);
    expect(store.pipelines.list({ includeArchived: true })).toHaveLength(1);
    expect(store.pipelines.listStates()).toEqual([]);
    expect(store.pipelines.listStates({ includeArchived: true })).toHaveLength(1);
    expect(codeOf(() => store.pipelines.setPaused(pipeline.id, false))).toBe('pipeline-archived');
    expect(codeOf(() => store.builds.createManual(jobId))).toBe('pipeline-archived');
    engine.setPipeline({ name: 'app', text: PIPELINE });
    expect(store.pipelines.byId(pipeline.id)).toMatchObject({ archived: false, configVersion: 2 });
    expect(store.builds.listForJob(jobId)).toHaveLength(1);
    store.pipelines.destroy(pipeline.id);
    expect(store.pipelines.byId(pipeline.id)).toBeUndefined();
    expect(store.builds.byId(pending.id)).toBeUndefined();
  });

  it('shares one parsed config per config version, and reads a changed or recreated pipeline afresh', () => {
    const { engine, store, pipeline } = setup();
    const first = store.pipelines.sharedById(pipeline.id)!;
    expect(store.pipelines.sharedById(pipeline.id)!.config).toBe(first.config);
    expect(first).toEqual(store.pipelines.byId(pipeline.id));
    const changed = PIPELINE.replace('initial_version: a', 'initial_version: b');
    engine.setPipeline({ name: 'app', text: changed });
    const second = store.pipelines.sharedById(pipeline.id)!;
    expect(second.config).not.toBe(first.config);
    expect(second).toEqual(store.pipelines.byId(pipeline.id));
    store.pipelines.destroy(pipeline.id);
    expect(store.pipelines.sharedById(pipeline.id)).toBeUndefined();
    // The highest id, deleted, is given again: the new pipeline must not be read as the old.
    const { pipeline: again } = engine.setPipeline({ name: 'other', text: PIPELINE });
    expect(again.id).toBe(pipeline.id);
    expect(store.pipelines.sharedById(again.id)).toEqual(store.pipelines.byId(again.id));
  });

  it('renames a pipeline keeping its identity, and refuses a name in use', () => {
    const { engine, store, pipeline } = setup();
    engine.setPipeline({ name: 'other', text: PIPELINE });
    expect(codeOf(() => store.pipelines.rename({ name: 'app' }, 'other'))).toBe('pipeline-exists');
    store.pipelines.rename({ name: 'app' }, 'renamed');
    expect(store.pipelines.get({ name: 'renamed' })!.id).toBe(pipeline.id);
  });

  it('keeps a renamed job and resource (old_name) with their builds and versions', async () => {
    const { engine, store, pipeline, repo } = setup();
    await engine.checker.checkResource(repo.id);
    const jobId = store.jobs.idsByName(pipeline.id).get('build')!;
    const renamed = PIPELINE.replace('- name: repo', '- name: code\n  old_name: repo')
      .replace('get: repo', 'get: code')
      .replace('- name: build', '- name: compile\n  old_name: build');
    engine.setPipeline({ name: 'app', text: renamed });
    expect(store.jobs.get(pipeline.id, 'compile')!.id).toBe(jobId);
    expect(store.resources.get(pipeline.id, 'code')!.id).toBe(repo.id);
    expect(store.resources.get(pipeline.id, 'repo')).toBeUndefined();
  });

  it('gives a renamed history to one resource only when two name the same old_name', () => {
    const { engine, store, pipeline, repo } = setup();
    const twoClaims = PIPELINE.replace('- name: repo', '- name: one\n  old_name: repo')
      .replace('get: repo', 'get: one')
      .replace('resources:', 'resources:\n- name: two\n  old_name: repo\n  type: mock\n  source: {}')
      .replace('    trigger: true', '    trigger: true\n  - get: two');
    engine.setPipeline({ name: 'app', text: twoClaims });
    const ids = [store.resources.get(pipeline.id, 'one')!.id, store.resources.get(pipeline.id, 'two')!.id];
    expect(ids).toContain(repo.id);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('store: versions', () => {
  it('orders versions by check order: new ones on top, a re-reported older one moves up', () => {
    const { store, repo } = setup();
    const versions = (): string[] => store.resources.listVersions(repo.id).map((v) => v.version.ref!);
    store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'a' } }, { version: { ref: 'b' } }]);
    expect(versions()).toEqual(['b', 'a']);
    expect(store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'b' } }, { version: { ref: 'c' } }])).toEqual({ newVersions: 1, changed: true });
    expect(versions()).toEqual(['c', 'b', 'a']);
    expect(store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'c' } }])).toEqual({ newVersions: 0, changed: false });
    store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'a' } }]);
    expect(versions()).toEqual(['a', 'c', 'b']);
  });

  it('marks the versions a complete check leaves out as gone, and refuses to pin them', () => {
    const { store, repo } = setup();
    const versions = () => store.resources.listVersions(repo.id).map((v) => `${v.version.ref}${v.goneAt === null ? '' : ' gone'}`);
    const snapshot = (ref: string) => ({ version: { ref } });
    expect(store.resources.saveCompleteCheck(repo.scopeId, [snapshot('a'), snapshot('b')])).toEqual({ newVersions: 2, changed: true, gone: 0 });
    // Retention pruned a; c is new. Known versions keep their place.
    expect(store.resources.saveCompleteCheck(repo.scopeId, [snapshot('b'), snapshot('c')])).toEqual({ newVersions: 1, changed: true, gone: 1 });
    expect(versions()).toEqual(['c', 'b', 'a gone']);
    const gone = store.resources.listVersions(repo.id)[2]!;
    expect(store.history.isGone(gone.id)).toBe(true);
    expect(store.history.isGone(store.resources.listVersions(repo.id)[1]!.id)).toBe(false);
    expect(() => store.resources.pin(repo.id, gone.id)).toThrow(expect.objectContaining({ code: 'version-gone' }));
    expect(store.resources.saveCompleteCheck(repo.scopeId, [snapshot('b'), snapshot('c')])).toEqual({ newVersions: 0, changed: false, gone: 0 });
    // Reported again (a restored store): usable again.
    expect(store.resources.saveCompleteCheck(repo.scopeId, [snapshot('a'), snapshot('b'), snapshot('c')])).toEqual({ newVersions: 0, changed: true, gone: 0 });
    expect(versions()).toEqual(['c', 'b', 'a']);
    expect(store.history.isGone(gone.id)).toBe(false);
    store.resources.pin(repo.id, gone.id);
  });

  it('disables and re-enables a version for one resource', () => {
    const { store, repo } = setup();
    store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'a' } }]);
    const [version] = store.resources.listVersions(repo.id);
    store.resources.setVersionEnabled(repo.id, version!.id, false);
    expect(store.resources.listVersions(repo.id)[0]!.enabled).toBe(false);
    expect(store.history.isDisabled(repo.id, version!.id)).toBe(true);
    store.resources.setVersionEnabled(repo.id, version!.id, true);
    expect(store.history.isDisabled(repo.id, version!.id)).toBe(false);
  });

  it('pins through the API, and through config once a matching version exists', () => {
    const { engine, store, repo } = setup();
    store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'a' } }, { version: { ref: 'b' } }]);
    const a = store.resources.findVersion(repo.id, { ref: 'a' })!;
    store.resources.pin(repo.id, a, 'bad release');
    expect(store.resources.byId(repo.id)).toMatchObject({ pinnedVersionId: a, pinSource: 'api', pinComment: 'bad release' });
    expect(store.history.pinnedVersion(repo.id)).toBe(a);
    store.resources.unpin(repo.id);
    expect(store.history.pinnedVersion(repo.id)).toBeUndefined();

    engine.setPipeline({ name: 'app', text: PIPELINE.replace('  source:', '  version: {ref: c}\n  source:') });
    expect(store.resources.byId(repo.id)).toMatchObject({ pinnedVersionId: null, pinSource: 'config' });
    expect(codeOf(() => store.resources.unpin(repo.id))).toBe('resource-pinned-in-config');
    store.resources.saveCheckedVersions(repo.scopeId, [{ version: { ref: 'b' } }, { version: { ref: 'c' } }]);
    const c = store.resources.findVersion(repo.id, { ref: 'c' });
    expect(store.resources.byId(repo.id)!.pinnedVersionId).toBe(c);
    expect(store.history.pinnedVersion(repo.id)).toBe(c);
  });

  it('refuses a version of another resource', () => {
    const { engine, store, repo } = setup();
    const other = engine.setPipeline({ name: 'other', text: PIPELINE.replace('initial_version: a', 'initial_version: z') }).pipeline;
    const otherRepo = store.resources.get(other.id, 'repo')!;
    store.resources.saveCheckedVersions(otherRepo.scopeId, [{ version: { ref: 'z' } }]);
    const z = store.resources.findVersion(otherRepo.id, { ref: 'z' })!;
    expect(codeOf(() => store.resources.pin(repo.id, z))).toBe('version-not-found');
  });
});

describe('store: versions from puts', () => {
  it('adds a put version to the shared history as the newest, and requests the jobs that get it', () => {
    const { store, pipeline, repo } = setup();
    store.resources.saveCheckedVersions(repo.scopeId, [{ version: { version: 'a' } }]);
    const jobId = store.jobs.idsByName(pipeline.id).get('build')!;
    store.scheduling.apply({ jobs: [], createBuilds: [], startBuilds: [], waitingForBuildSlot: false }, [jobId]);
    expect(store.jobs.scheduleRequested()).toEqual([]);
    const id = store.resources.saveOutputVersion(repo.id, { version: { version: 'b' }, metadata: [{ name: 'from', value: 'put' }] });
    expect(store.resources.listVersions(repo.id).map((v) => [v.id === id, v.version.version])).toEqual([
      [true, 'b'],
      [false, 'a'],
    ]);
    expect(store.jobs.scheduleRequested()).toEqual([jobId]);
    expect(store.resources.saveOutputVersion(repo.id, { version: { version: 'b' } })).toBe(id);
  });
});

describe('store: setting a pipeline again', () => {
  it('leaves each job with the inputs, upstream jobs, serial groups and schedule marks its new config gives', () => {
    const dir = tempDataDir();
    const engine = testEngine({ dataDir: dir });
    const before = `
resources: [{name: r1, type: mock, source: {}}, {name: r2, type: mock, source: {x: 1}}]
jobs:
- {name: a, serial_groups: [g1, g2], plan: [{get: r1}, {get: r2}]}
- {name: b, plan: [{get: r1, passed: [a]}]}
- {name: gone, serial_groups: [g1], plan: [{get: r2, passed: [a]}]}
`;
    const after = `
resources: [{name: r1, type: mock, source: {}}, {name: r2, type: mock, source: {x: 1}}]
jobs:
- {name: a, serial_groups: [g2, g3], plan: [{get: r1}]}
- {name: b, plan: [{get: r1, passed: [a]}]}
- {name: c, old_name: gone, plan: [{get: r1, passed: [a, b]}]}
- {name: d, serial_groups: [g3], plan: [{get: r2}]}
`;
    const { pipeline } = engine.setPipeline({ name: 'p', text: before });
    const db = new Database(join(dir, 'weir.db'), { readonly: true });
    const links = () => ({
      jobs: db.prepare('SELECT name, active, schedule_requested FROM jobs WHERE pipeline_id = ? ORDER BY name').raw().all(pipeline.id),
      inputs: db.prepare(`SELECT j.name, r.name FROM job_input_resources l JOIN jobs j ON j.id = l.job_id JOIN resources r ON r.id = l.resource_id
        WHERE j.pipeline_id = ? ORDER BY 1, 2`).raw().all(pipeline.id),
      upstreams: db.prepare(`SELECT j.name, u.name FROM job_upstreams l JOIN jobs j ON j.id = l.job_id JOIN jobs u ON u.id = l.upstream_job_id
        WHERE j.pipeline_id = ? ORDER BY 1, 2`).raw().all(pipeline.id),
      groups: db.prepare('SELECT j.name, g.name FROM job_serial_groups g JOIN jobs j ON j.id = g.job_id WHERE g.pipeline_id = ? ORDER BY 1, 2').raw().all(pipeline.id),
    });
    try {
      const goneId = engine.store.jobs.get(pipeline.id, 'gone')!.id;
      engine.scheduler.runOnce();
      engine.setPipeline({ name: 'p', text: after });
      expect(links()).toEqual({
        jobs: [['a', 1, 1], ['b', 1, 1], ['c', 1, 1], ['d', 1, 1]],
        inputs: [['a', 'r1'], ['b', 'r1'], ['c', 'r1'], ['d', 'r2']],
        upstreams: [['b', 'a'], ['c', 'a'], ['c', 'b']],
        groups: [['a', 'g2'], ['a', 'g3'], ['d', 'g3']],
      });
      // The renamed job keeps its row, and so its history.
      expect(engine.store.jobs.get(pipeline.id, 'c')!.id).toBe(goneId);
      engine.scheduler.runOnce();
      engine.setPipeline({ name: 'p', text: before });
      expect(links()).toEqual({
        jobs: [['a', 1, 1], ['b', 1, 1], ['c', 0, 0], ['d', 0, 0], ['gone', 1, 1]],
        inputs: [['a', 'r1'], ['a', 'r2'], ['b', 'r1'], ['gone', 'r2']],
        upstreams: [['b', 'a'], ['gone', 'a']],
        groups: [['a', 'g1'], ['a', 'g2'], ['gone', 'g1']],
      });
    } finally {
      db.close();
    }
  });
});
