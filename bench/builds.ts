/**
 * Issue 4's build figures, on a real engine with the local executor and a data directory on
 * disk (synchronous = FULL, so every commit is an fsync):
 *   (a) 500 trivial builds (one task running `true`) triggered at once: builds/s end to end;
 *   (b) trigger → task process started, p50 and p99, one build at a time;
 *   (c) one task printing a million lines: lines/s stored, and the engine's peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

const TRIVIAL_BUILDS = 500;
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

async function waitForEnd(buildId: number): Promise<void> {
  // As the API's event stream reads a build: in batches.
  for await (const batch of engine.events.followBatches(buildId)) void batch;
}

try {
  engine.setPipeline({ name: 'bench', text: PIPELINE });
  engine.start();
  const pipeline = engine.store.pipelines.get({ name: 'bench' })!;
  const job = (name: string) => engine.store.jobs.get(pipeline.id, name)!.id;

  // (a)
  const trivial = job('trivial');
  const started = performance.now();
  const builds = Array.from({ length: TRIVIAL_BUILDS }, () => engine.triggerJob(trivial));
  await Promise.all(builds.map((b) => waitForEnd(b.id)));
  const seconds = (performance.now() - started) / 1000;
  const statuses = new Set(builds.map((b) => engine.store.builds.byId(b.id)!.status));
  figures.push(`(a) ${TRIVIAL_BUILDS} trivial builds at once: ${(TRIVIAL_BUILDS / seconds).toFixed(0)} builds/s (${seconds.toFixed(2)} s; statuses: ${[...statuses].join(', ')}; target ≥ 100/s)`);

  // (b)
  const stamp = job('stamp');
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const triggeredAt = nowMs();
    const build = engine.triggerJob(stamp);
    await waitForEnd(build.id);
    const line = engine.events.list(build.id).find((e) => e.type === 'log' && e.data.stream === 'stdout');
    if (!line || line.type !== 'log') throw new Error(`stamp build ${build.id} printed nothing`);
    latencies.push(Number(BigInt(line.data.line) / 1000n) / 1000 - triggeredAt);
  }
  latencies.sort((x, y) => x - y);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  figures.push(`(b) trigger → task process running, ${LATENCY_SAMPLES} builds one at a time: p50 ${pct(50)} ms, p99 ${pct(99)} ms (target p50 < 20 ms)`);

  // (c)
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const chattyStart = nowMs();
  const chatty = engine.triggerJob(job('chatty'));
  // A watcher follows the build, as a user would; the rate counts until the build has ended
  // with every line written, not until the watcher has read them all.
  await waitForEnd(chatty.id);
  clearInterval(sampler);
  const ended = engine.events.list(chatty.id, (await lastSeq(chatty.id)) - 1).at(-1)!;
  const chattySeconds = (ended.at - chattyStart) / 1000;
  const stored = engine.store.buildEvents.list(chatty.id, 0, 2_000_000).filter((e) => e.type === 'log' && e.data.stream === 'stdout').length;
  if (stored !== LINES) throw new Error(`stored ${stored} lines of ${LINES}`);
  figures.push(
    `(c) one task printing ${LINES.toLocaleString('en')} lines: ${Math.round(LINES / chattySeconds).toLocaleString('en')} lines/s stored (${chattySeconds.toFixed(2)} s), engine peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (targets ≥ 200,000 lines/s, < 300 MB)`,
  );
} finally {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
for (const line of figures) console.log(line);
