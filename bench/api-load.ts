/**
 * The API under load (issue 15): 200 concurrent clients, each sending one read after another
 * for 20 s, while 100 builds run and print; a real engine with a data directory on disk and
 * the HTTP API on 127.0.0.1, the clients in a process of their own (so their work does not
 * count against the engine's event loop, and the latencies are the server's). Prints
 * requests/s, p50, p99 and the slowest request against the goal (p99 < 100 ms, none over
 * 1 s), the clients' first requests apart (they wait for their connections to be accepted),
 * the engine's peak RSS, the CPU the engine and the clients used, and the load average before
 * and after: on a machine shared with other work the figures move with it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, Engine, startApiServer } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

const CLIENTS = 200;
const BUILDS = 100;
const SECONDS = 20;

// Each build prints a line every 50 ms for longer than the clients run, from one process (a
// shell loop around sleep would fork 2,000 processes a second, and measure the machine).
const lines = ['jobs:'];
for (let i = 0; i < BUILDS; i++) {
  lines.push(`- {name: job-${i}, plan: [{task: t, config: {platform: linux, run: {path: perl, args: ['-e', '$| = 1; for (1..1000) { print "line $_ of job ${i}\\n"; select(undef, undef, undef, 0.05) }']}}}]}`);
}

const loadBefore = loadavg()[0]!;
const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-api-load-'));
const engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

try {
  engine.setPipeline({ name: 'load', text: `${lines.join('\n')}\n` });
  engine.start();
  const server = await startApiServer({ engine, token: 'bench-token', port: 0 });
  const pipelineId = engine.store.pipelines.get({ name: 'load' })!.id;
  const builds = engine.store.jobs.list(pipelineId).map((job) => engine.triggerJob(job.id).id);
  const deadline = Date.now() + 120_000;
  while (engine.store.builds.countStarted() < BUILDS && Date.now() < deadline) await sleep(100);
  const running = engine.store.builds.countStarted();

  // What a dashboard, a pipeline page, a job page and a build page read.
  const paths = [
    '/info',
    '/pipelines',
    '/dashboard',
    '/pipelines/load/jobs',
    '/pipelines/load/jobs/job-7',
    '/pipelines/load/jobs/job-7/builds',
    '/builds',
    ...builds.slice(0, 20).map((id) => `/builds/${id}`),
  ];
  // Stalls of the engine's event loop, when they happened: what makes a request wait that long.
  const stalls: Array<{ at: number; ms: number }> = [];
  const loadStarted = performance.now();
  let tick = performance.now();
  const lagProbe = setInterval(() => {
    const now = performance.now();
    if (now - tick > 150) stalls.push({ at: (tick - loadStarted) / 1000, ms: now - tick - 50 });
    tick = now;
  }, 50);
  let peakRss = rssMb();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb())), 100);
  const script = fileURLToPath(new URL('./support/api-load-clients.ts', import.meta.url));
  const cpuBefore = process.cpuUsage();
  const clients = spawn(process.execPath, ['--import', 'tsx', script, server.url, String(CLIENTS), String(SECONDS), JSON.stringify(paths)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  clients.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise((resolve) => clients.on('exit', resolve));
  clearInterval(sampler);
  clearInterval(lagProbe);
  const engineCpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(output) as { latencies: number[]; steady: number[]; first: number[]; cpuSeconds: number; statuses: Record<string, number>; seconds: number; slowest: Array<{ ms: number; path: string; at: number }> };
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const max = sorted[sorted.length - 1] ?? 0;
  const over1s = sorted.filter((ms) => ms > 1000).length;
  const steady = [...result.steady].sort((a, b) => a - b);
  const steadyMax = steady[steady.length - 1] ?? 0;
  const first = [...result.first].sort((a, b) => a - b);
  console.log(
    [
      `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after; ${CLIENTS} clients for ${SECONDS} s while ${running} builds ran (each printing a line every 50 ms)`,
      `requests/s      ${(sorted.length / result.seconds).toFixed(0)} (${sorted.length} requests; statuses ${JSON.stringify(result.statuses)})`,
      `p50             ${percentile(sorted, 50).toFixed(1)} ms`,
      `p99             ${p99.toFixed(1)} ms   goal < 100 ms: ${p99 < 100 ? 'met' : 'not met'}`,
      `slowest         ${max.toFixed(0)} ms; over 1 s: ${over1s}   goal none: ${over1s === 0 ? 'met' : 'not met'}${result.slowest.length > 0 ? ` (${result.slowest.map((s) => `${s.path} ${s.ms.toFixed(0)} ms at ${s.at.toFixed(1)} s`).join(', ')})` : ''}`,
      `first requests  p50 ${percentile(first, 50).toFixed(1)} ms, slowest ${(first[first.length - 1] ?? 0).toFixed(0)} ms (each client's first, on a connection the server had yet to accept)`,
      `after 5 s       p50 ${percentile(steady, 50).toFixed(1)} ms, p99 ${percentile(steady, 99).toFixed(1)} ms, slowest ${steadyMax.toFixed(0)} ms, over 1 s: ${steady.filter((ms) => ms > 1000).length}`,
      `engine RSS      ${peakRss} MB at peak`,
      `CPU             engine ${(((engineCpu.user + engineCpu.system) / 1e6 / result.seconds) * 100).toFixed(0)}%, clients ${((result.cpuSeconds / result.seconds) * 100).toFixed(0)}% of one core (2 in all: with others' work on the machine, a saturated client process adds its own waiting to the latencies)`,
      `event-loop stalls over 100 ms: ${stalls.length === 0 ? 'none' : stalls.slice(0, 8).map((s) => `${s.ms.toFixed(0)} ms at ${s.at.toFixed(1)} s`).join(', ')}`,
    ].join('\n'),
  );
  await server.close();
} finally {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
