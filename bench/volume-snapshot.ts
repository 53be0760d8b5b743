/**
 * How long the volume-snapshot type's local driver takes to snapshot a 1 GiB directory (1,024
 * files of 1 MiB) and to restore that snapshot into an empty directory, in each copy mode, through
 * the type's own put as a pipeline runs it. Also a second snapshot after one file changed: no mode
 * copies only what changed, so it shows what a schedule pays when little did (the data is in
 * the page cache by then). Prints figures, asserts nothing.
 *
 *   node --import tsx --conditions=weir-source bench/volume-snapshot.ts
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { volumeSnapshotResourceType as type, type VolumeSnapshotSource } from '../packages/resources/src/volume-snapshot/index.js';
import type { LocalCopyMode } from '../packages/resources/src/volume-snapshot/source.js';
import { testContext } from '../packages/resources/test/support/context.js';

const FILES = 1024;
const FILE_BYTES = 1024 * 1024;
const ROUNDS = 3;
const MODES: LocalCopyMode[] = ['reflink-or-copy', 'hardlink', 'copy'];

const root = mkdtempSync(join(os.tmpdir(), 'weir-bench-snapshot-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
// Interrupted, it still removes its gigabytes.
process.on('SIGINT', () => process.exit(130));

const volume = join(root, 'volume');
mkdirSync(volume);
// Random bytes, so no filesystem can make the copies cheaper by compressing or deduplicating them.
for (let i = 0; i < FILES; i++) writeFileSync(join(volume, `part-${String(i).padStart(4, '0')}.bin`), randomBytes(FILE_BYTES));
execFileSync('sync');

const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const ctx = testContext({ build: { buildId: 1, buildName: '1', jobName: 'bench', pipelineName: 'bench', teamName: 'main', url: 'http://weir/builds/1' } });
const rows: Array<[string, string, string, string]> = [];
for (const mode of MODES) {
  const store = join(root, `store-${mode}`);
  const source: VolumeSnapshotSource = { driver: 'local', path: volume, store, mode };
  const snapshots: number[] = [];
  const restores: number[] = [];
  const afterOneChange: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let name = '';
    snapshots.push(await timed(async () => (name = (await type.put(ctx, source, {}, root)).version.name)));
    const target = join(root, `restore-${mode}-${round}`);
    restores.push(await timed(() => type.put(ctx, source, { action: 'restore', name, to: target }, root)));
    rmSync(target, { recursive: true, force: true });
    writeFileSync(join(volume, 'part-0000.bin'), randomBytes(FILE_BYTES));
    afterOneChange.push(await timed(() => type.put(ctx, source, {}, root)));
    await type.put(ctx, source, { action: 'delete', all: true }, root);
  }
  rmSync(store, { recursive: true, force: true });
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  rows.push([mode, s(median(snapshots)), s(median(afterOneChange)), s(median(restores))]);
}

const filesystem = execFileSync('df', ['--output=fstype', root], { encoding: 'utf8' }).trim().split('\n').pop();
console.log(`local driver, ${FILES} files of ${FILE_BYTES / 1024 / 1024} MiB (1 GiB) on ${filesystem}, median of ${ROUNDS}`);
console.log();
const header: [string, string, string, string] = ['mode', 'snapshot', 'snapshot, 1 file changed', 'restore'];
const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '));
