/**
 * Bounded work (issue 15, probe 6), on a real engine with a data directory on disk:
 *   (a) set-pipeline of 2,000 jobs (the limit, accepted), 20,000 and 200,000 (refused): time,
 *       the longest event-loop stall while it ran (goal: under 100 ms), the answer, RSS; compiled
 *       on the engine's thread (`setPipeline`, what the API did before) and on the pipeline
 *       compiler's worker thread (`setPipelineAsync`, what the API and set_pipeline steps do);
 *   (b) a pipeline of 2,000 jobs that all trigger at once: the most builds running at any
 *       moment against the bound, the longest event-loop stall (goal: under 100 ms), builds/s,
 *       peak RSS;
 *   (c) stopping the engine (what SIGTERM does) while 2,000 builds wait or run: time to stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createLogger, DEFAULT_MAX_RUNNING_BUILDS, Engine, PipelineInvalidError, WeirError } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

const JOBS_AT_LIMIT = 2_000;
const figures: string[] = [`load average ${loadavg()[0]!.toFixed(1)} on this machine; bound on running builds ${DEFAULT_MAX_RUNNING_BUILDS}`];
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024);

function pipeline(jobs: number, command: string): string {
  const lines = ['resources: [{name: r, type: mock, source: {}}]', 'jobs:'];
  for (let i = 0; i < jobs; i++) lines.push(`- {name: job-${i}, plan: [{get: r, trigger: true}, {task: t, config: {platform: linux, run: {path: sh, args: ['-c', '${command}']}}}]}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `work`, sampling the event loop's delay every 10 ms: the longest stall it caused and the
 * time the engine's thread was busy (event-loop utilisation: outside its wait for I/O), in ms.
 * On a loaded machine a stall also counts time the thread waited for a core; busy time less so.
 */
async function withStallMonitor<T>(work: () => Promise<T> | T): Promise<{ result: T; stallMs: number; busyMs: number; ms: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  // The monitor measures only between turns of the loop: give it one before and after.
  await sleep(20);
  const utilisation = performance.eventLoopUtilization();
  const result = await work();
  const busyMs = performance.eventLoopUtilization(utilisation).active;
  await sleep(20);
  delay.disable();
  return { result, stallMs: delay.max / 1e6, busyMs, ms: performance.now() - started - 40 };
}

async function answerOf(set: () => unknown): Promise<string> {
  try {
    await set();
    return 'accepted';
  } catch (error) {
    if (error instanceof PipelineInvalidError) {
      const first = error.problems.find((p) => p.severity === 'error')!;
      return `refused: ${first.code}: ${first.message}`;
    }
    if (error instanceof WeirError) return `refused: ${error.code}: ${error.message}`;
    throw error;
  }
}

/** Builds of a pipeline by status, read on a connection of the bench's own (WAL lets it read beside the engine). */
function statusCounter(dataDir: string): { counts: (pipelineId: number) => Record<string, number>; close: () => void } {
  const db = new Database(join(dataDir, 'weir.db'), { readonly: true });
  const query = db.prepare<[number], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM builds WHERE pipeline_id = ? GROUP BY status');
  return { counts: (pipelineId) => Object.fromEntries(query.all(pipelineId).map((row) => [row.status, row.n])), close: () => db.close() };
}

function openEngine(dataDir: string): Engine {
  return Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
}

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-limits-'));
  dirs.push(dir);
  return dir;
}

try {
  // (a)
  {
    const engine = openEngine(dataDir());
    engine.setPipeline({ name: 'warm-up', text: pipeline(10, 'true') });
    // Each set makes a new pipeline but `again`, which sets the one before it again as it is (a
    // pipeline that sets itself each build): only what changed is written.
    const ways = [
      { key: 'thread', way: "on the engine's thread (before)", set: (name: string, text: string) => engine.setPipeline({ name, text }), sizes: [JOBS_AT_LIMIT, JOBS_AT_LIMIT, 'again', 20_000] as const },
      // The first starts the worker thread.
      { key: 'worker', way: 'on the worker thread', set: (name: string, text: string) => engine.setPipelineAsync({ name, text }), sizes: [JOBS_AT_LIMIT, JOBS_AT_LIMIT, 'again', 20_000, 200_000] as const },
    ];
    for (const { key, way, set, sizes } of ways) {
      for (const [i, size] of sizes.entries()) {
        const jobs = size === 'again' ? JOBS_AT_LIMIT : size;
        const text = pipeline(jobs, 'true');
        // The garbage of the sets before is collected first, so a set's stall is its own.
        globalThis.gc?.();
        const run = await withStallMonitor(() => answerOf(() => set(`${key}-${size === 'again' ? i - 1 : i}`, text)));
        figures.push(
          `(a) set-pipeline of ${jobs} jobs (${(text.length / 1024 / 1024).toFixed(1)} MiB)${size === 'again' ? ', again as it was,' : ''} ${way}: ${run.ms.toFixed(0)} ms, longest event-loop stall ${run.stallMs.toFixed(0)} ms (goal: under 100), the engine's thread busy ${run.busyMs.toFixed(0)} ms, RSS ${rssMb()} MB; ${run.result}`,
        );
      }
    }
    await engine.stop();
  }

  // (b)
  {
    const dir = dataDir();
    const engine = openEngine(dir);
    const builds = statusCounter(dir);
    engine.setPipeline({ name: 'surge', text: pipeline(JOBS_AT_LIMIT, 'true'), pausedIfNew: true });
    engine.start();
    const pipelineId = engine.store.pipelines.get({ name: 'surge' })!.id;
    // The one version of r must be there before unpausing, so every job triggers together.
    const resource = engine.store.resources.list(pipelineId).find((r) => r.name === 'r')!;
    await engine.checker.checkResource(resource.id);
    let mostRunning = 0;
    let peakRss = rssMb();
    const sampler = setInterval(() => {
      mostRunning = Math.max(mostRunning, engine.store.builds.countStarted());
      peakRss = Math.max(peakRss, rssMb());
    }, 50);
    const run = await withStallMonitor(async () => {
      engine.store.pipelines.setPaused(pipelineId, false);
      for (;;) {
        const counts = builds.counts(pipelineId);
        if ((counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.errored ?? 0) >= JOBS_AT_LIMIT) return counts;
        await sleep(200);
      }
    });
    clearInterval(sampler);
    builds.close();
    figures.push(
      `(b) ${JOBS_AT_LIMIT} jobs triggering at once: at most ${mostRunning} running (bound ${DEFAULT_MAX_RUNNING_BUILDS}), ${(JOBS_AT_LIMIT / (run.ms / 1000)).toFixed(0)} builds/s, longest event-loop stall ${run.stallMs.toFixed(0)} ms (goal: under 100), the engine's thread busy ${run.busyMs.toFixed(0)} ms, peak RSS ${peakRss} MB; ${JSON.stringify(run.result)}`,
    );
    await engine.stop();
  }

  // (c)
  {
    const dir = dataDir();
    const engine = openEngine(dir);
    const builds = statusCounter(dir);
    engine.setPipeline({ name: 'stuck', text: pipeline(JOBS_AT_LIMIT, 'sleep 600'), pausedIfNew: true });
    engine.start();
    const pipelineId = engine.store.pipelines.get({ name: 'stuck' })!.id;
    const resource = engine.store.resources.list(pipelineId).find((r) => r.name === 'r')!;
    await engine.checker.checkResource(resource.id);
    engine.store.pipelines.setPaused(pipelineId, false);
    const deadline = Date.now() + 120_000;
    while (engine.store.builds.countStarted() < DEFAULT_MAX_RUNNING_BUILDS && Date.now() < deadline) await sleep(100);
    const running = engine.store.builds.countStarted();
    const pending = builds.counts(pipelineId).pending ?? 0;
    builds.close();
    const stop = await withStallMonitor(() => engine.stop());
    figures.push(`(c) stopping the engine with ${running} builds running and ${pending} pending: ${(stop.ms / 1000).toFixed(2)} s, longest event-loop stall ${stop.stallMs.toFixed(0)} ms (goal: a few seconds)`);
  }
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

console.log(figures.join('\n'));
