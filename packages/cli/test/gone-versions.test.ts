import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simulatorKubeconfig } from '../../../test/support/kube/kubeconfig.js';
import { startKubeSimulator, type KubeSimulator } from '../../../test/support/kube/simulator.js';
import { volumeSnapshotResourceType as snapshots, type VolumeSnapshotSource } from '../../resources/src/volume-snapshot/index.js';
import { testContext } from '../../resources/test/support/context.js';
import { startEngineServer } from './support/engine-server.js';
import { at, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const rows = (table: string): string[][] =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.trimEnd().split(/ {2,}/));

async function localSource(): Promise<VolumeSnapshotSource> {
  const root = await mkdtemp(join(tmpdir(), 'weir-gone-versions-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'live'));
  await writeFile(join(root, 'live', 'data'), 'rows');
  return { driver: 'local', path: join(root, 'live'), store: join(root, 'store'), retention: { max_count: 1 } };
}

async function clusterSource(): Promise<VolumeSnapshotSource> {
  const sim: KubeSimulator = await startKubeSimulator();
  cleanups.push(() => sim.stop());
  sim.createNamespace('prod');
  sim.createClaim('prod', 'db', { size: '2Gi' });
  return { driver: 'kubernetes', kubeconfig: simulatorKubeconfig(sim), namespace: 'prod', pvc: 'db', retention: { max_count: 1 } };
}

describe.each([
  ['local driver', localSource],
  ['kubernetes driver (simulator)', clusterSource],
])('volume-snapshot versions that retention pruned, %s', (_driver, makeSource) => {
  it('are shown as gone after the next check, are never pinned, and say why', async () => {
    const source = await makeSource();
    const server = await startEngineServer({ start: false });
    const pipeline = `resources:\n- name: db-backup\n  type: volume-snapshot\n  source: ${JSON.stringify(source)}\njobs:\n- name: restore\n  plan:\n  - get: db-backup\n`;
    expect((await weir(['set-pipeline', ...at(server), '-p', 'prod', '-c', pipelineFile(pipeline), '-n'])).status).toBe(0);

    const first = await snapshots.put(testContext({ now: new Date('2026-12-01T03:00:00Z') }), source, {}, tmpdir());
    expect(await weir(['check-resource', ...at(server), '-r', 'prod/db-backup'])).toMatchObject({ status: 0, out: 'checked prod/db-backup: 1 new version(s)\n' });
    // The next nightly snapshot prunes the first (max_count: 1), as a backup job's put would.
    const second = await snapshots.put(testContext({ now: new Date('2026-12-02T03:00:00Z') }), source, {}, tmpdir());
    expect(await weir(['check-resource', ...at(server), '-r', 'prod/db-backup'])).toMatchObject({ status: 0, out: 'checked prod/db-backup: 1 new version(s)\n' });

    const table = rows((await weir(['versions', ...at(server), '-r', 'prod/db-backup'])).out);
    expect(table[1]?.[1]).toContain(second.version.name);
    expect(table[1]?.at(-1)).toBe('yes');
    expect(table[2]?.[1]).toContain(first.version.name);
    expect(table[2]?.at(-1)).toBe('gone');
    const json = JSON.parse((await weir(['versions', ...at(server), '-r', 'prod/db-backup', '--json'])).out) as Array<{ version: { name: string }; gone: boolean }>;
    expect(json.map((version) => [version.version.name, version.gone])).toEqual([
      [second.version.name, false],
      [first.version.name, true],
    ]);

    const pinned = await weir(['pin-resource', ...at(server), '-r', 'prod/db-backup', '-v', `name:${first.version.name}`]);
    expect(pinned.status).toBe(1);
    expect(pinned.err).toContain(`no longer exists at its source, so it cannot be pinned`);
    expect(pinned.err).toContain('weir versions');
    expect((await weir(['pin-resource', ...at(server), '-r', 'prod/db-backup', '-v', `name:${second.version.name}`])).status).toBe(0);
    expect((await weir(['unpin-resource', ...at(server), '-r', 'prod/db-backup'])).status).toBe(0);

    // Deleted on the cluster (or by hand): with nothing left, the job waits and says why.
    await snapshots.put(testContext(), source, { action: 'delete', name: second.version.name }, tmpdir());
    expect(await weir(['check-resource', ...at(server), '-r', 'prod/db-backup'])).toMatchObject({ status: 0, out: 'checked prod/db-backup: no new versions\n' });
    const explained = await weir(['explain', ...at(server), '-j', 'prod/restore']);
    expect(explained.out).toContain('every version of db-backup is disabled or no longer exists at its source');
  });
});
