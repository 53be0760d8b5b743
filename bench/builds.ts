/**
 * Issue 4's and 22's build figures, on a real engine with the local executor and a data
 * directory on disk:
 *   (a) 500 trivial builds (one task running `true`) triggered at once: builds/s end to end,
 *       beside Node spawning `/bin/true` 500 times under the executor's cap (the spawn limit),
 *       and 100 trivial builds with `--sync-every-commit` (an fsync per commit);
 *   (b) trigger → task process started, p50 and p99, one build at a time;
 *   (c) store bytes per build: event bytes and database growth, for the trivial builds and for
 *       100 builds printing 100 short lines each;
 *   (d) one task printing a million lines: lines/s stored, and the engine's peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

const TRIVIAL_BUILDS = 500;
const SYNCED_BUILDS = 100;
const LINE_BUILDS = 100;
const LATENCY_SAMPLES = 100;
const LINES = 1_000_000;

const PIPELINE = `
jobs:
- name: trivial
  plan:
  - task: noop
    config:
      platform: linux
      run: {path: /bin/true}
- name: stamp
  plan:
  - task: stamp
    config:
      platform: linux
      run: {path: /bin/date, args: ['+%s%N']}
- name: hundred
  plan:
  - task: print
    config:
      platform: linux
      run: {path: seq, args: ['100']}
- name: chatty
  plan:
  - task: print
    config:
      platform: linux
      run: {path: seq, args: ['${LINES}']}
`;

const nowMs = (): number => performance.timeOrigin + performance.now();
const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-builds-'));
const engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
const figures: string[] = [];

async function lastSeq(buildId: number): Promise<number> {
  return engine.store.buildEvents.lastSeq(buildId);
}

async function waitForEnd(on: Engine, buildId: number): Promise<void> {
  // As the API's event stream reads a build: in batches.
  for await (const batch of on.events.followBatches(buildId)) void batch;
}

/** Builds/s for `count` builds of `jobName` triggered at once on `on`. */
async function burst(on: Engine, jobName: string, count: number): Promise<{ perSecond: number; seconds: number; statuses: string; ids: number[] }> {
  const pipeline = on.store.pipelines.get({ name: 'bench' })!;
  const jobId = on.store.jobs.get(pipeline.id, jobName)!.id;
  const started = performance.now();
  const builds = Array.from({ length: count }, () => on.triggerJob(jobId));
  await Promise.all(builds.map((b) => waitForEnd(on, b.id)));
  const seconds = (performance.now() - started) / 1000;
  const statuses = [...new Set(builds.map((b) => on.store.builds.byId(b.id)!.status))].join(', ');
  return { perSecond: count / seconds, seconds, statuses, ids: builds.map((b) => b.id) };
}

/** Node spawning `/bin/true` `count` times, at most `cap` at once: what the executor cannot beat. */
async function spawnRate(count: number, cap: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve, reject) => spawn('/bin/true', [], { stdio: 'ignore' }).on('exit', () => resolve()).on('error', reject));
    }
  };
  await Promise.all(Array.from({ length: cap }, worker));
  return count / ((performance.now() - started) / 1000);
}

/** Bytes of the database and its WAL, after a checkpoint. */
function databaseBytes(dir: string): number {
  const file = join(dir, 'weir.db');
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return statSync(file).size;
}

/** Event bytes the builds' pages take, and what the same events took in the encoding before issue 22 ([at, type, origin, data] each). */
function eventBytes(on: Engine, ids: readonly number[]): { stored: number; before: number } {
  on.events.flush();
  const db = new Database(join(on.dataDir, 'weir.db'), { readonly: true });
  let stored: number;
  try {
    stored = db.prepare('SELECT COALESCE(SUM(length(events)), 0) FROM build_event_pages WHERE build_id IN (SELECT value FROM json_each(?))').pluck().get(JSON.stringify(ids)) as number;
  } finally {
    db.close();
  }
  let before = 0;
  for (const id of ids) {
    const events = on.store.buildEvents.list(id, 0, 100_000);
    before += JSON.stringify(events.map((e) => [e.at, e.type, 'origin' in e ? (e.origin ?? null) : null, e.data])).length;
  }
  return { stored, before };
}

const syncedDir = mkdtempSync(join(tmpdir(), 'weir-bench-builds-synced-'));
try {
  engine.setPipeline({ name: 'bench', text: PIPELINE });
  engine.start();
  const pipeline = engine.store.pipelines.get({ name: 'bench' })!;
  const job = (name: string) => engine.store.jobs.get(pipeline.id, name)!.id;

  // (a) The engine, Node's spawn alone and the engine syncing every commit, in turns.
  const cap = 4 * availableParallelism();
  const before = databaseBytes(dataDir);
  const trivial = await burst(engine, 'trivial', TRIVIAL_BUILDS);
  const trivialBytes = databaseBytes(dataDir) - before;
  const trivialEvents = eventBytes(engine, trivial.ids);
  const spawns = await spawnRate(TRIVIAL_BUILDS, cap);
  const synced = Engine.open({ dataDir: syncedDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }), syncEveryCommit: true });
  let syncedRate: Awaited<ReturnType<typeof burst>>;
  try {
    synced.setPipeline({ name: 'bench', text: PIPELINE });
    synced.start();
    syncedRate = await burst(synced, 'trivial', SYNCED_BUILDS);
  } finally {
    await synced.stop();
  }
  figures.push(
    `(a) ${TRIVIAL_BUILDS} trivial builds at once: ${trivial.perSecond.toFixed(0)} builds/s (${trivial.seconds.toFixed(2)} s; statuses: ${trivial.statuses}; goal ≥ 300/s) | ` +
      `Node spawning /bin/true ${TRIVIAL_BUILDS} times, ${cap} at once: ${spawns.toFixed(0)}/s | ${SYNCED_BUILDS} builds with --sync-every-commit: ${syncedRate.perSecond.toFixed(0)} builds/s`,
  );

  // (b)
  const stamp = job('stamp');
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const triggeredAt = nowMs();
    const build = engine.triggerJob(stamp);
    await waitForEnd(engine, build.id);
    const line = engine.events.list(build.id).find((e) => e.type === 'log' && e.data.stream === 'stdout');
    if (!line || line.type !== 'log') throw new Error(`stamp build ${build.id} printed nothing`);
    latencies.push(Number(BigInt(line.data.line) / 1000n) / 1000 - triggeredAt);
  }
  latencies.sort((x, y) => x - y);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  figures.push(`(b) trigger → task process running, ${LATENCY_SAMPLES} builds one at a time: p50 ${pct(50)} ms, p99 ${pct(99)} ms (target p50 < 20 ms)`);

  // (c)
  const beforeLines = databaseBytes(dataDir);
  const hundred = await burst(engine, 'hundred', LINE_BUILDS);
  const hundredBytes = databaseBytes(dataDir) - beforeLines;
  const hundredEvents = eventBytes(engine, hundred.ids);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
  figures.push(
    `(c) store per build: trivial ${kb(trivialEvents.stored / TRIVIAL_BUILDS)} of events (the old encoding: ${kb(trivialEvents.before / TRIVIAL_BUILDS)}), database +${kb(trivialBytes / TRIVIAL_BUILDS)}; ` +
      `printing 100 lines (292 bytes): ${kb(hundredEvents.stored / LINE_BUILDS)} of events (old: ${kb(hundredEvents.before / LINE_BUILDS)}), database +${kb(hundredBytes / LINE_BUILDS)}`,
  );

  // (d)
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const chattyStart = nowMs();
  const chatty = engine.triggerJob(job('chatty'));
  // A watcher follows the build, as a user would; the rate counts until the build has ended
  // with every line written, not until the watcher has read them all.
  await waitForEnd(engine, chatty.id);
  clearInterval(sampler);
  const ended = engine.events.list(chatty.id, (await lastSeq(chatty.id)) - 1).at(-1)!;
  const chattySeconds = (ended.at - chattyStart) / 1000;
  const stored = engine.store.buildEvents.list(chatty.id, 0, 2_000_000).filter((e) => e.type === 'log' && e.data.stream === 'stdout').length;
  if (stored !== LINES) throw new Error(`stored ${stored} lines of ${LINES}`);
  figures.push(
    `(d) one task printing ${LINES.toLocaleString('en')} lines: ${Math.round(LINES / chattySeconds).toLocaleString('en')} lines/s stored (${chattySeconds.toFixed(2)} s), engine peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (targets ≥ 200,000 lines/s, < 300 MB)`,
  );
} finally {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(syncedDir, { recursive: true, force: true });
}
for (const line of figures) console.log(line);
