import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResourceError } from '../../src/interface.js';
import { volumeSnapshotResourceType as type, type VolumeSnapshotSource } from '../../src/volume-snapshot/index.js';
import { testContext } from '../support/context.js';

const BUILD = { buildId: 7, buildName: '7', jobName: 'nightly', pipelineName: 'db', teamName: 'main', url: 'http://weir/builds/7' };
const T0 = new Date('2024-05-01T03:00:00Z');
const HOUR = 3_600_000;

let root: string;
let live: string;
let store: string;
let workdir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'weir-volume-snapshot-'));
  live = join(root, 'live');
  store = join(root, 'store');
  workdir = join(root, 'work');
  await mkdir(join(live, 'nested'), { recursive: true });
  await mkdir(workdir);
  await writeFile(join(live, 'a.txt'), 'first');
  await writeFile(join(live, 'nested', 'b.bin'), Buffer.alloc(4096, 7));
  await symlink('a.txt', join(live, 'link'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const source = (extra: Partial<VolumeSnapshotSource> = {}): VolumeSnapshotSource => ({ driver: 'local', path: live, store, ...extra });

async function create(at: Date, extra: Partial<VolumeSnapshotSource> = {}) {
  return type.put(testContext({ now: at, build: BUILD }), source(extra), {}, workdir);
}

describe('volume-snapshot, local driver', () => {
  it('snapshots the directory, and check lists it as a version with metadata', async () => {
    const put = await create(T0);
    expect(put.version).toEqual({ name: expect.stringMatching(/^snapshot-nightly-7-20240501-030000-[a-z0-9]{5}$/), created: T0.toISOString() });
    expect(put.metadata).toEqual(expect.arrayContaining([{ name: 'source', value: live }, { name: 'restore_size', value: String(5 + 4096) }, { name: 'job', value: 'nightly' }]));

    const tree = join(store, put.version.name);
    expect(await readFile(join(tree, 'a.txt'), 'utf8')).toBe('first');
    expect((await stat(join(tree, 'nested', 'b.bin'))).size).toBe(4096);
    expect(await readdir(tree)).toContain('link');

    const versions = await type.check(testContext({ now: T0 }), source());
    expect(versions.map((v) => v.version)).toEqual([put.version]);
  });

  it('keeps the snapshot as it was when the live directory changes afterwards (default mode)', async () => {
    const put = await create(T0);
    await writeFile(join(live, 'a.txt'), 'changed in place');
    expect(await readFile(join(store, put.version.name, 'a.txt'), 'utf8')).toBe('first');
  });

  it('shares files with the live directory in hardlink mode', async () => {
    const put = await create(T0, { mode: 'hardlink' });
    const [original, copy] = await Promise.all([stat(join(live, 'a.txt')), stat(join(store, put.version.name, 'a.txt'))]);
    expect(copy.ino).toBe(original.ino);
  });

  it('check returns versions oldest → newest, starting from `from`', async () => {
    const first = await create(T0);
    const second = await create(new Date(T0.getTime() + HOUR));
    const third = await create(new Date(T0.getTime() + 2 * HOUR));
    const ctx = testContext({ now: new Date(T0.getTime() + 3 * HOUR) });
    expect((await type.check(ctx, source())).map((v) => v.version.name)).toEqual([first, second, third].map((p) => p.version.name));
    expect((await type.check(ctx, source(), second.version)).map((v) => v.version.name)).toEqual([second, third].map((p) => p.version.name));
  });

  it('retention prunes its own oldest snapshots and never another resource\'s', async () => {
    const other = await create(T0, { name_prefix: 'manual-' });
    const made = [];
    for (let hour = 0; hour < 4; hour += 1) made.push(await create(new Date(T0.getTime() + hour * HOUR), { retention: { max_count: 2 } }));
    const kept = await type.check(testContext(), source());
    expect(kept.map((v) => v.version.name)).toEqual(made.slice(2).map((p) => p.version.name));
    expect(await readdir(store)).toContain(other.version.name);
    expect(await readdir(store)).not.toContain(made[0]?.version.name);
  });

  it('retention by max_age uses the engine clock', async () => {
    const old = await create(T0, { retention: { max_age: '72h' } });
    const later = await create(new Date(T0.getTime() + 73 * HOUR), { retention: { max_age: '72h' } });
    expect((await type.check(testContext(), source())).map((v) => v.version.name)).toEqual([later.version.name]);
    expect(await readdir(store)).not.toContain(old.version.name);
  });

  it('get writes snapshot.json, and a restore from it recreates the tree in a new directory', async () => {
    const put = await create(T0);
    const fetched = join(workdir, 'snap');
    await mkdir(fetched);
    await type.get(testContext(), source(), put.version, {}, fetched);
    const document = JSON.parse(await readFile(join(fetched, 'snapshot.json'), 'utf8'));
    expect(document).toMatchObject({ name: put.version.name, created: T0.toISOString(), source: live, driver: 'local' });

    const target = join(root, 'restored');
    const restored = await type.put(testContext({ build: BUILD }), source(), { action: 'restore', from: 'snap', to: target }, workdir);
    expect(restored.version).toEqual(put.version);
    expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('first');
    expect((await stat(join(target, 'nested', 'b.bin'))).size).toBe(4096);

    // The restored copy is independent of the snapshot.
    await writeFile(join(target, 'a.txt'), 'edited');
    expect(await readFile(join(store, put.version.name, 'a.txt'), 'utf8')).toBe('first');
  });

  it('refuses to restore into a non-empty directory unless told to overwrite', async () => {
    const put = await create(T0);
    const target = join(root, 'busy');
    await mkdir(target);
    await writeFile(join(target, 'stale'), 'x');
    const params = { action: 'restore' as const, name: put.version.name, to: target };
    await expect(type.put(testContext(), source(), params, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-restore-target-not-empty' });
    const replaced = await type.put(testContext(), source(), { ...params, overwrite: true }, workdir);
    expect(replaced.metadata).toContainEqual({ name: 'overwritten', value: 'true' });
    expect((await readdir(target)).sort()).toEqual(['a.txt', 'link', 'nested']);
    expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('first');
    // The swap's siblings are gone: nothing but the target is left beside it.
    expect((await readdir(root)).sort()).toEqual(['busy', 'live', 'store', 'work']);
  });

  it('never half-replaces: a restore with overwrite that fails leaves the target as it was', async () => {
    const put = await create(T0);
    const target = join(root, 'staging');
    await mkdir(target);
    await writeFile(join(target, 'data'), 'staging data');
    const stopped = new AbortController();
    stopped.abort(new Error('build aborted'));
    await expect(type.put(testContext({ signal: stopped.signal }), source(), { action: 'restore', name: put.version.name, to: target, overwrite: true }, workdir)).rejects.toThrow('build aborted');
    expect(await readdir(target)).toEqual(['data']);
    expect(await readFile(join(target, 'data'), 'utf8')).toBe('staging data');
    expect((await readdir(root)).sort()).toEqual(['live', 'staging', 'store', 'work']);
  });

  it('refuses an overwrite whose swap would work outside the allowed roots', async () => {
    const put = await create(T0);
    const target = join(root, 'allowed');
    await mkdir(target);
    await writeFile(join(target, 'data'), 'kept');
    const ctx = testContext({ localPaths: { roots: [root, target], forbidden: [] } });
    await expect(type.put(testContext({ localPaths: { roots: [target, live, store], forbidden: [] } }), source(), { action: 'restore', name: put.version.name, to: target, overwrite: true }, workdir)).rejects.toMatchObject({
      code: 'volume-snapshot-overwrite-outside-roots',
    });
    expect(await readdir(target)).toEqual(['data']);
    await type.put(ctx, source(), { action: 'restore', name: put.version.name, to: target, overwrite: true }, workdir);
    expect((await readdir(target)).sort()).toEqual(['a.txt', 'link', 'nested']);
  });

  it('with keep_existing, restores into an empty target once and leaves it alone afterwards', async () => {
    const put = await create(T0);
    const target = join(root, 'environment');
    const params = { action: 'restore' as const, name: put.version.name, to: target, keep_existing: true };
    const first = await type.put(testContext(), source(), params, workdir);
    expect(first.metadata).not.toContainEqual({ name: 'kept_existing', value: 'true' });
    await writeFile(join(target, 'a.txt'), 'what the environment became');
    const ctx = testContext();
    const again = await type.put(ctx, source(), params, workdir);
    expect(again.metadata).toContainEqual({ name: 'kept_existing', value: 'true' });
    expect(ctx.lines.join('\n')).toContain('was not restored');
    expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('what the environment became');
    await expect(type.put(testContext(), source(), { ...params, overwrite: true }, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-restore-conflict' });
  });

  it('delete removes one snapshot by name, or all of its own', async () => {
    const other = await create(T0, { name_prefix: 'manual-' });
    const first = await create(T0);
    await create(new Date(T0.getTime() + HOUR));
    await type.put(testContext(), source(), { action: 'delete', name: first.version.name }, workdir);
    expect(await type.check(testContext(), source())).toHaveLength(1);

    await expect(type.put(testContext(), source(), { action: 'delete', name: other.version.name }, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-not-owned' });

    const cleanup = await type.put(testContext(), source(), { action: 'delete', all: true }, workdir);
    expect(cleanup.metadata).toContainEqual({ name: 'deleted', value: '1' });
    expect(await type.check(testContext(), source())).toEqual([]);
    expect(await readdir(store)).toEqual(expect.arrayContaining([other.version.name, `${other.version.name}.json`]));
    expect(await readdir(store)).toHaveLength(2);
  });

  it('explains a get of a snapshot that is gone', async () => {
    const error = await type.get(testContext(), source(), { name: 'snapshot-20240101-000000-aaaaa', created: T0.toISOString() }, {}, workdir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ code: 'volume-snapshot-not-found' });
  });

  it('skips, and names once, files in the store that are not snapshot metadata', async () => {
    const put = await create(T0);
    await writeFile(join(store, 'notes about backups.json'), '{}');
    await writeFile(join(store, 'torn.json'), '{"name": "torn"');
    const ctx = testContext();
    expect((await type.check(ctx, source())).map((v) => v.version)).toEqual([put.version]);
    expect(ctx.lines.filter((line) => line.includes('not snapshot metadata'))).toEqual([expect.stringContaining('notes about backups.json, torn.json')]);
  });

  it('refuses to restore into the store, the snapshotted directory, or a directory holding either', async () => {
    const put = await create(T0);
    for (const to of [join(store, 'restored'), store, join(live, 'nested'), root, `${live}/../store/x`]) {
      const params = { action: 'restore' as const, name: put.version.name, to, overwrite: true };
      await expect(type.put(testContext(), source(), params, workdir), to).rejects.toMatchObject({ code: 'volume-snapshot-restore-target-not-allowed' });
    }
    // `/` holds both, and is outside the directories pipelines may use at all.
    await expect(type.put(testContext(), source(), { action: 'restore', name: put.version.name, to: '/', overwrite: true }, workdir)).rejects.toMatchObject({ code: 'local-path-not-allowed' });
    expect(await readFile(join(live, 'a.txt'), 'utf8')).toBe('first');
    expect(await readdir(store)).toEqual([put.version.name, `${put.version.name}.json`]);
    // A sibling whose name merely starts with the store's is fine.
    await type.put(testContext(), source(), { action: 'restore', name: put.version.name, to: `${store}-restored` }, workdir);
    expect(await readFile(join(`${store}-restored`, 'a.txt'), 'utf8')).toBe('first');
  });

  it('rolls the live directory back to a snapshot with a restore into path itself and overwrite', async () => {
    const put = await create(T0);
    await writeFile(join(live, 'a.txt'), 'changed after the snapshot');
    await type.put(testContext(), source(), { action: 'restore', name: put.version.name, to: live, overwrite: true }, workdir);
    expect(await readFile(join(live, 'a.txt'), 'utf8')).toBe('first');
  });

  it('checks a generated name before copying anything under it', async () => {
    // A prefix climbing out of the store would have the copy run into this file's place.
    await writeFile(join(root, 'blocker'), 'keep');
    await expect(create(T0, { name_prefix: '/../blocker/x-' })).rejects.toMatchObject({ code: 'volume-snapshot-name-invalid' });
    expect(await readFile(join(root, 'blocker'), 'utf8')).toBe('keep');
  });

  it('refuses a store inside the snapshotted directory', async () => {
    await expect(create(T0, { store: join(live, 'snapshots') })).rejects.toMatchObject({ code: 'volume-snapshot-store-inside-path' });
  });
});
