/**
 * Issue 22's large installation: 2,000 pipelines, 1,500,000 builds and 10,000,000 log lines in
 * the store (`WEIR_BENCH_LARGE_SCALE`, default 1, scales all three), generated straight into
 * SQLite: the pipelines are set through the engine, the history is inserted in bulk. Then:
 *   - the database's size per build;
 *   - `weir up` on it, from spawn until it says it is up (node -e 0 beside it);
 *   - GET /builds and GET a job's builds, p50 and p99 of 200 requests each;
 *   - one round of the build log collector under the engine's default retention.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createLogger, encodeEventPage, Engine, type BuildEventBody } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

const scale = Number(process.env.WEIR_BENCH_LARGE_SCALE ?? '1');
if (!(scale > 0)) throw new Error(`WEIR_BENCH_LARGE_SCALE=${process.env.WEIR_BENCH_LARGE_SCALE} is not a positive number`);
const PIPELINES = Math.round(2000 * scale);
const JOBS_PER_PIPELINE = 5;
const BUILDS = Math.round(1_500_000 * scale);
const LINES = Math.round(10_000_000 * scale);
const BUILDS_PER_JOB = Math.ceil(BUILDS / (PIPELINES * JOBS_PER_PIPELINE));
const REQUESTS = 200;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repoRoot, 'packages/cli/bin/weir.js');
const environment: NodeJS.ProcessEnv = { ...process.env };
delete environment.NODE_OPTIONS;

function pipelineText(n: number): string {
  const lines = ['resources:', '- name: repo', '  type: mock', '  check_every: never', `  source: {initial_version: p${n}}`, 'jobs:'];
  for (let j = 0; j < JOBS_PER_PIPELINE; j++) {
    lines.push(`- name: job${j}`, '  plan:', '  - get: repo', '    trigger: true', ...(j > 0 ? [`    passed: [job${j - 1}]`] : []));
    lines.push('  - task: work', '    config: {platform: linux, run: {path: make, args: [test]}}');
  }
  return lines.join('\n');
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'weir-bench-large-'));
const figures: string[] = [`scale ${scale}: ${PIPELINES.toLocaleString('en')} pipelines, ${(PIPELINES * JOBS_PER_PIPELINE).toLocaleString('en')} jobs, ${BUILDS.toLocaleString('en')} builds, ${LINES.toLocaleString('en')} log lines`];
let engineProcess: ChildProcess | undefined;
try {
  // The pipelines, through the engine, as `weir set-pipeline` would set them.
  let since = performance.now();
  const setter = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  for (let n = 0; n < PIPELINES; n++) setter.setPipeline({ name: `p${String(n).padStart(4, '0')}`, text: pipelineText(n) });
  await setter.stop();
  const setSeconds = seconds(since);

  // The history, in bulk: builds in time order across jobs, each with its input, its plan and
  // one page of events (a status, a step, its lines, its end).
  since = performance.now();
  const db = new Database(path.join(dataDir, 'weir.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const jobs = db.prepare('SELECT j.id, j.pipeline_id, r.id AS resource_id, r.scope_id FROM jobs j JOIN resources r ON r.pipeline_id = j.pipeline_id ORDER BY j.id').all() as Array<{ id: number; pipeline_id: number; resource_id: number; scope_id: number }>;
  const addVersion = db.prepare('INSERT INTO resource_versions (scope_id, version, metadata, check_order, created_at) VALUES (?, ?, \'[]\', ?, ?)');
  const addBuild = db.prepare(`INSERT INTO builds (team_id, pipeline_id, job_id, name, number, status, manually_triggered, created_at, started_at, ended_at, plan)
    VALUES (1, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`);
  const addInput = db.prepare('INSERT INTO build_inputs (build_id, job_id, name, resource_id, version_id, first_occurrence) VALUES (?, ?, \'repo\', ?, ?, ?)');
  const addPage = db.prepare('INSERT INTO build_event_pages (build_id, first_seq, last_seq, events) VALUES (?, 1, ?, ?)');
  const plan = JSON.stringify({ id: 1, do: [{ id: 2, get: { name: 'repo', resource: 'repo', type: 'mock' } }, { id: 3, task: { name: 'work', config: { platform: 'linux', run: { path: 'make', args: ['test'] } } } }] });
  const start = Date.now() - BUILDS_PER_JOB * 3_600_000;
  const versionIds = new Map<number, number[]>();
  db.transaction(() => {
    const scopes = [...new Set(jobs.map((job) => job.scope_id))];
    for (const scope of scopes) {
      const ids: number[] = [];
      for (let k = 1; k <= BUILDS_PER_JOB; k++) ids.push(Number(addVersion.run(scope, JSON.stringify({ version: `v${k}` }), k + 1, start + k * 3_600_000).lastInsertRowid));
      versionIds.set(scope, ids);
    }
  })();
  let builds = 0;
  let lines = 0;
  const chunk = 2000;
  for (let k = 1; k <= BUILDS_PER_JOB && builds < BUILDS; k++) {
    for (let from = 0; from < jobs.length && builds < BUILDS; from += chunk) {
      db.transaction(() => {
        for (const job of jobs.slice(from, from + chunk)) {
          if (builds >= BUILDS) return;
          const at = start + k * 3_600_000 + job.id;
          const status = builds % 17 === 0 ? 'failed' : 'succeeded';
          const buildId = Number(addBuild.run(job.pipeline_id, job.id, String(k), k, status, at, at + 50, at + 30_000, plan).lastInsertRowid);
          addInput.run(buildId, job.id, job.resource_id, versionIds.get(job.scope_id)![k - 1]!, k === 1 ? 1 : 0);
          // Spread the lines evenly over the builds.
          const count = Math.floor(((builds + 1) * LINES) / BUILDS) - Math.floor((builds * LINES) / BUILDS);
          const events: Array<BuildEventBody & { at: number }> = [
            { at: at + 50, type: 'status', data: { status: 'started' } },
            { at: at + 60, type: 'step-started', origin: '3', data: { kind: 'task', name: 'work' } },
          ];
          for (let i = 0; i < count; i++) events.push({ at: at + 100 + i, type: 'log', origin: '3', data: { stream: 'stdout', line: `ok ${i + 1} - test case number ${i + 1} of build ${k}` } });
          events.push({ at: at + 29_000, type: 'step-finished', origin: '3', data: { outcome: status as 'failed' | 'succeeded', exit_status: status === 'failed' ? 1 : 0 } });
          events.push({ at: at + 30_000, type: 'status', data: { status } });
          addPage.run(buildId, events.length, encodeEventPage(events));
          builds++;
          lines += count;
        }
      })();
    }
  }
  db.prepare('UPDATE jobs SET next_build_number = ?').run(BUILDS_PER_JOB + 1);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const bytes = statSync(path.join(dataDir, 'weir.db')).size;
  figures.push(
    `setup: pipelines set in ${setSeconds} s, history inserted in ${seconds(since)} s; database ${(bytes / 2 ** 20).toFixed(0)} MB, ${(bytes / builds / 1024).toFixed(2)} KB per build (${builds.toLocaleString('en')} builds, ${lines.toLocaleString('en')} lines)`,
  );

  // weir up, from spawn until it is up and answering; node -e 0 beside it.
  const built = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=weir-source', path.join(repoRoot, 'packages/cli/scripts/bundle.ts')], { cwd: repoRoot, env: environment, stdio: 'ignore' });
  if (built.status !== 0) throw new Error('building the CLI bundle failed');
  const nodeStarted = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { env: environment });
  const nodeMs = performance.now() - nodeStarted;
  const upStarted = performance.now();
  engineProcess = spawn(process.execPath, [bin, 'up', '--port', '0', '--data', dataDir, '--log-level', 'warn'], { cwd: dataDir, env: environment, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`weir up did not start within 120 s: ${said}`)), 120_000);
    engineProcess!.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString('utf8');
      const match = /weir is up at (\S+)/.exec(said);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    engineProcess!.once('exit', (code) => reject(new Error(`weir up exited (${code}): ${said}`)));
  });
  const upMs = performance.now() - upStarted;
  figures.push(`weir up on it: ${(upMs / 1000).toFixed(2)} s from spawn until up (goal < 3 s; node -e 0 took ${nodeMs.toFixed(0)} ms)`);

  // The API while the engine's first passes over every job run.
  async function timedGets(route: (i: number) => string): Promise<{ p50: number; p99: number }> {
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      const response = await fetch(`${url}/api/v1${route(i)}`);
      if (!response.ok) throw new Error(`GET ${route(i)} answered ${response.status}`);
      await response.arrayBuffer();
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    return { p50: samples[Math.floor(REQUESTS / 2)]!, p99: samples[Math.floor(REQUESTS * 0.99)]! };
  }
  // Node loads its fetch client (undici) at the first call, 50-150 ms of the bench's own time:
  // loaded here on another route, so the timed requests measure the server, /builds cold included.
  await (await fetch(`${url}/api/v1/info`)).arrayBuffer();
  const recent = await timedGets(() => '/builds');
  const ofJob = await timedGets((i) => `/pipelines/p${String((i * 7919) % PIPELINES).padStart(4, '0')}/jobs/job${i % JOBS_PER_PIPELINE}/builds`);
  figures.push(
    `GET /builds (50 newest): p50 ${recent.p50.toFixed(1)} ms, p99 ${recent.p99.toFixed(1)} ms; a job's builds: p50 ${ofJob.p50.toFixed(1)} ms, p99 ${ofJob.p99.toFixed(1)} ms (goal p99 < 50 ms)`,
  );
} finally {
  if (engineProcess && engineProcess.exitCode === null) {
    const exited = new Promise((resolve) => engineProcess!.once('exit', resolve));
    engineProcess.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
for (const line of figures) console.log(line);
