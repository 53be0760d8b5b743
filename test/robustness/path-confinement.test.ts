import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureApiToken } from '@weir/engine';
import { openEngine, runJob, scratchDir } from '../support/engine-runs.js';

/**
 * Probes 1 and 2 of the hardening issue: a pipeline names paths on the engine's machine (a
 * restore target, a snapshot store) and the engine reads files out of artifacts that tasks made;
 * neither may reach the data directory, the snapshot store or anything outside what the
 * operator allowed, by path text or through a symlink.
 */

const errorCodes = (events: Array<{ type: string; data: unknown }>): string[] =>
  events.filter((e) => e.type === 'error').map((e) => (e.data as { code: string }).code);

function snapshotPipeline(live: string, store: string, to: string): string {
  return `
resources:
- name: snap
  type: volume-snapshot
  source: {driver: local, path: ${live}, store: ${store}}
jobs:
- name: take
  plan: [{put: snap}]
- name: restore
  plan:
  - get: snap
  - put: snap
    params: {action: restore, from: snap, to: ${JSON.stringify(to)}, overwrite: true}
    no_get: true
`;
}

/** A snapshot to restore, in `store`, of a small live directory. */
async function withSnapshot(to: (dirs: { dataDir: string; live: string; store: string; root: string }) => string, options: { roots?: string[] } = {}) {
  const root = scratchDir();
  const dataDir = join(root, 'data');
  const live = join(root, 'live');
  const store = join(root, 'snapshots');
  mkdirSync(live);
  writeFileSync(join(live, 'db.sqlite'), 'rows');
  const engine = openEngine({ dataDir, ...(options.roots && { localPathRoots: options.roots }) });
  await ensureApiToken(engine.dataDir);
  const text = snapshotPipeline(live, store, to({ dataDir, live, store, root }));
  const taken = await runJob(engine, text, 'take');
  expect(taken.build.status, taken.log).toBe('succeeded');
  const restored = await runJob(engine, text, 'restore');
  return { restored, dataDir, store, snapshots: readdirSync(store) };
}

describe('paths a pipeline names', () => {
  it('a restore with overwrite into the data directory is refused, and the data directory is untouched', async () => {
    const { restored, dataDir } = await withSnapshot(({ dataDir }) => dataDir);
    expect(restored.build.status).toBe('errored');
    expect(restored.log).toMatch(/local-path-not-allowed|data directory/);
    for (const file of ['weir.db', 'token', 'engine.lock']) expect(existsSync(join(dataDir, file)), file).toBe(true);
  });

  it('a restore with overwrite into a symlink to the snapshot store is refused, and every snapshot is kept', async () => {
    const { restored, store, snapshots } = await withSnapshot(({ store, root }) => {
      symlinkSync(store, join(root, 'innocent'));
      return join(root, 'innocent');
    });
    expect(restored.build.status).toBe('errored');
    expect(restored.log).toContain('volume-snapshot-restore-target-not-allowed');
    expect(readdirSync(store)).toEqual(snapshots);
    expect(snapshots.length).toBe(2);
  });

  it('a restore into a symlink that leads into the data directory is refused', async () => {
    const { restored, dataDir } = await withSnapshot(({ dataDir, root }) => {
      symlinkSync(dataDir, join(root, 'elsewhere'));
      return join(root, 'elsewhere', 'builds');
    });
    expect(restored.build.status).toBe('errored');
    expect(restored.log).toContain('local-path-not-allowed');
    expect(existsSync(join(dataDir, 'weir.db'))).toBe(true);
  });

  it('a path outside the operator\'s roots is refused', async () => {
    const allowed = scratchDir();
    const { restored } = await withSnapshot(({ root }) => join(root, 'restored'), { roots: [allowed] }).catch((error: Error) => ({ restored: { build: { status: 'take failed' }, log: error.message } }));
    // The snapshot itself is taken outside the root, so the first build already errors.
    expect(restored.log).toContain('local-path-not-allowed');
  });
});

describe('files the engine reads from artifacts', () => {
  const linkingTask = (target: string) => `
  - task: make-link
    config:
      platform: linux
      outputs: [{name: out}]
      run: {path: sh, args: [-c, 'ln -s ${target} out/data && printf "x: 1\\n" > out/plain.yml']}`;

  it('load_var does not follow a link out of the artifact (no admin token in the log)', async () => {
    const dataDir = join(scratchDir(), 'data');
    const engine = openEngine({ dataDir });
    const token = await ensureApiToken(engine.dataDir);
    const pipeline = `
jobs:
- name: steal
  plan:${linkingTask(dataDir)}
  - load_var: stolen
    file: out/data/token
    reveal: true
  - task: show
    config: {platform: linux, run: {path: echo, args: [((.:stolen))]}}
`;
    const result = await runJob(engine, pipeline, 'steal');
    expect(result.build.status).toBe('errored');
    expect(errorCodes(result.events)).toContain('artifact-path-escapes');
    expect(result.log).not.toContain(token);
  });

  it('a task file: and a set_pipeline file: through such a link are refused; a plain file in the artifact is read', async () => {
    const outside = scratchDir();
    writeFileSync(join(outside, 'task.yml'), 'platform: linux\nrun: {path: "true"}\n');
    const engine = openEngine();
    const pipeline = `
jobs:
- name: task-file
  plan:${linkingTask(outside)}
  - task: linked
    file: out/data/task.yml
- name: set-file
  plan:${linkingTask(outside)}
  - set_pipeline: other
    file: out/data/task.yml
- name: plain
  plan:${linkingTask(outside)}
  - load_var: x
    file: out/plain.yml
`;
    expect(errorCodes((await runJob(engine, pipeline, 'task-file')).events)).toContain('artifact-path-escapes');
    expect(errorCodes((await runJob(engine, pipeline, 'set-file')).events)).toContain('artifact-path-escapes');
    expect((await runJob(engine, pipeline, 'plain')).build.status).toBe('succeeded');
    expect(readFileSync(join(outside, 'task.yml'), 'utf8')).toContain('platform');
  });
});
