/**
 * The scheduler and checker at the scale issue 3 sets (1×: 1,000 jobs in fan-out/fan-in chains
 * with `passed`, 1,000 resources with 100 versions each, 10,000 past builds) and at multiples
 * of it: each scale in WEIR_BENCH_SCALES (default 1,4,10) runs in a fresh process, and the
 * figures are printed side by side. Asserts nothing. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes, type ResourceType } from '@weir/resources';

/** The issue's goals for each row, by scale (1×, or 10×); a row without one prints none. */
const GOALS: Record<string, Record<number, string>> = {
  '(a) full pass, every job requested, warm (median)': { 1: '< 20 ms', 10: '< 300 ms' },
  '(a) longest event-loop stall, cold: the slowest slice': { 1: '< 50 ms', 4: '< 50 ms', 10: '< 50 ms' },
  '(a) longest event-loop stall, warm: the slowest slice': { 1: '< 50 ms', 4: '< 50 ms', 10: '< 50 ms' },
  '(b) one pass after one new version, 10 jobs requested (median)': { 1: '< 5 ms', 4: '< 5 ms', 10: '< 5 ms' },
  '(b) one pass after one new version, 1 job requested (median)': { 1: '< 5 ms', 4: '< 5 ms', 10: '< 5 ms' },
  '(c) RSS of a fresh engine after its first full pass': { 1: '< 200 MB', 10: '< 250 MB' },
};

const SCALE_FLAG = '--scale';
const scaleArgument = process.argv.indexOf(SCALE_FLAG);
if (scaleArgument === -1) {
  compareScales();
  process.exit(0);
}
const SCALE = Number(process.argv[scaleArgument + 1]);
const GROUPS = 100 * SCALE; // 10 jobs and 10 resources each
/** 1,000 jobs and 1,000 resources a pipeline: within the engine's limit of 2,000 each. */
const GROUPS_PER_PIPELINE = 100;
const VERSIONS_PER_RESOURCE = 100;
const BUILD_ROUNDS = 10; // one build per job per round
const PASS_SAMPLES = 15;

/** A check that answers at once: what the checker itself costs. */
const trivialType: ResourceType<{ key: string }> = {
  name: 'trivial',
  description: 'Answers checks at once.',
  sourceSchema: { type: 'object', properties: { key: { type: 'string' } } },
  check: async (_ctx, source, from) => [from ?? { key: source.key, n: '1' }].map((version) => ({ version })),
  get: async () => ({ version: {} }),
  put: async () => ({ version: {} }),
};

/**
 * Group g: job0 gets r0..r2; job1-4 fan out from job0 (r0, r1 passed job0) with a resource of
 * their own; job5 fans in (r0 passed job1-4, r1 passed job1); job6-8 fan out from job5 (r0, r1);
 * job9 fans in from job6-8.
 */
function pipelineText(groups: readonly number[]): string {
  const lines: string[] = ['resources:'];
  for (const g of groups) {
    for (let r = 0; r < 10; r++) lines.push(`- name: g${g}r${r}`, '  type: trivial', '  check_every: never', `  source: {key: g${g}r${r}}`);
  }
  lines.push('jobs:');
  const job = (g: number, j: number, gets: string[]): void => {
    lines.push(`- name: g${g}j${j}`, '  plan:', ...gets.map((get) => `  - ${get}`));
  };
  for (const g of groups) {
    const r = (n: number): string => `g${g}r${n}`;
    const j = (n: number): string => `g${g}j${n}`;
    job(g, 0, [`get: ${r(0)}\n    trigger: true`, `get: ${r(1)}\n    trigger: true`, `get: ${r(2)}`]);
    for (let i = 1; i <= 4; i++) {
      job(g, i, [`get: ${r(0)}\n    trigger: true\n    passed: [${j(0)}]`, `get: ${r(1)}\n    passed: [${j(0)}]`, `get: ${r(2 + i)}`]);
    }
    job(g, 5, [`get: ${r(0)}\n    trigger: true\n    passed: [${j(1)}, ${j(2)}, ${j(3)}, ${j(4)}]`, `get: ${r(1)}\n    passed: [${j(1)}]`]);
    for (let i = 6; i <= 8; i++) {
      job(g, i, [`get: ${r(0)}\n    trigger: true\n    passed: [${j(5)}]`, `get: ${r(1)}\n    passed: [${j(5)}]`, `get: ${r(i + 1)}`]);
    }
    job(g, 9, [`get: ${r(0)}\n    trigger: true\n    passed: [${j(6)}, ${j(7)}, ${j(8)}]`, `get: ${r(1)}\n    passed: [${j(6)}]`]);
  }
  return `${lines.join('\n')}\n`;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

const dataDir = mkdtempSync(join(os.tmpdir(), 'weir-bench-'));
const engine = Engine.open({ dataDir, resourceTypes: [...implementedResourceTypes(), trivialType], logger: createLogger({ level: 'silent' }) });
const { store } = engine;
const setupStarted = performance.now();

try {
  const pipelines = Array.from({ length: Math.ceil(GROUPS / GROUPS_PER_PIPELINE) }, (_, p) => {
    const groups = Array.from({ length: Math.min(GROUPS_PER_PIPELINE, GROUPS - p * GROUPS_PER_PIPELINE) }, (_, g) => p * GROUPS_PER_PIPELINE + g);
    return engine.setPipeline({ name: `bench-${p}`, text: pipelineText(groups) }).pipeline;
  });
  const resources = pipelines.flatMap((pipeline) => store.resources.list(pipeline.id));
  const scopeIds = resources.map((r) => r.scopeId);

  // 99 versions per resource up front, then one more per round of builds below.
  store.transaction(() => {
    for (const scopeId of scopeIds) {
      store.resources.saveCheckedVersions(
        scopeId,
        Array.from({ length: VERSIONS_PER_RESOURCE - BUILD_ROUNDS + 1 }, (_, n) => ({ version: { n: String(n) } })),
      );
    }
  });

  /** Runs passes and succeeds every started build until nothing more starts. */
  const settle = (): number => {
    let builds = 0;
    for (;;) {
      const pass = engine.scheduler.runOnce();
      if (pass.startedBuildIds.length === 0 && pass.createdBuildIds.length === 0 && pass.remainingJobCount === 0) return builds;
      store.transaction(() => {
        for (const id of pass.startedBuildIds) store.builds.finish(id, 'succeeded');
      });
      builds += pass.startedBuildIds.length;
    }
  };

  let builds = settle();
  for (let round = 1; round < BUILD_ROUNDS; round++) {
    store.transaction(() => {
      for (const scopeId of scopeIds) {
        store.resources.saveCheckedVersions(scopeId, [{ version: { n: String(VERSIONS_PER_RESOURCE - BUILD_ROUNDS + round) } }]);
      }
    });
    builds += settle();
  }
  const setupMs = performance.now() - setupStarted;
  const versionCount = resources.reduce((sum, r) => sum + store.resources.listVersions(r.id, { limit: 1000 }).length, 0);

  // (a) A full pass with every job requested, on a cold cache (as after a restart) and warm.
  // A pass decides at most maxJobsPerPass jobs; "every job requested" takes passes until none
  // is left, each in its own turn of the event loop as in `weir up`.
  const slices: number[] = [];
  const fullPass = (): number => {
    store.jobs.requestAll();
    let total = 0;
    for (let remaining = 1; remaining > 0; ) {
      const pass = engine.scheduler.runOnce();
      slices.push(pass.durationMs);
      total += pass.durationMs;
      remaining = pass.remainingJobCount;
    }
    return total;
  };
  store.history.forgetAll();
  const coldPass = fullPass();
  const coldSlices = Math.max(...slices);
  const coldSliceCount = slices.length;
  const fullPasses: number[] = [];
  for (let i = 0; i < PASS_SAMPLES; i++) fullPasses.push(fullPass());


  // (b) One pass after a single new version, of a resource all ten jobs of a chain get (r0)
  // and of one a single job gets (r3); the builds it starts are succeeded between samples.
  const onePass = (resourceName: string): { ms: number[]; jobs: number } => {
    const samples: number[] = [];
    let jobs = 0;
    for (let i = 0; i < PASS_SAMPLES; i++) {
      const group = (i * 7) % GROUPS;
      const resource = store.resources.get(pipelines[Math.floor(group / GROUPS_PER_PIPELINE)]!.id, `g${group}${resourceName}`)!;
      store.resources.saveCheckedVersions(resource.scopeId, [{ version: { n: `extra-${i}` } }]);
      const pass = engine.scheduler.runOnce();
      samples.push(pass.durationMs);
      jobs = pass.jobIds.length;
      for (const id of pass.startedBuildIds) store.builds.finish(id, 'succeeded');
      settle();
    }
    return { ms: samples, jobs };
  };
  const wide = onePass('r0');
  const narrow = onePass('r3');

  // (d) Checks per second with a type that answers at once, through the checker's cap.
  const checkRound = async (): Promise<number> => {
    const started = performance.now();
    const outcomes = await Promise.all(resources.map((r) => engine.checker.checkResource(r.id)));
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) throw new Error(`checks failed: ${failed[0]?.error}`);
    return (resources.length / (performance.now() - started)) * 1000;
  };
  const checksWithWrites = await checkRound(); // every check saves the trivial type's version as new
  const checksNothingNew = await checkRound();

  const jobCount = pipelines.reduce((sum, pipeline) => sum + store.jobs.list(pipeline.id).length, 0);

  // (c) The memory of an engine started on this data directory after its first full pass,
  // measured in a fresh process so the setup above does not count.
  await engine.stop();
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=weir-source', '--expose-gc', fileURLToPath(new URL('./scheduling-memory.ts', import.meta.url)), dataDir],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`the memory probe failed: ${child.stderr}`);
  const memory = JSON.parse(child.stdout) as { baselineRss: number; rss: number; heapUsed: number; passMs: number };
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

  const figures: ScaleFigures = {
    setup: `${pipelines.length} pipeline${pipelines.length === 1 ? '' : 's'}, ${resources.length} resources, ${versionCount} versions, ${jobCount} jobs, ${builds} builds, set up in ${(setupMs / 1000).toFixed(1)} s`,
    rows: [
      ['(a) full pass, every job requested, warm (median)', ms(median(fullPasses))],
      ['(a) full pass, cold cache (first pass after start)', ms(coldPass)],
      ['(a) longest event-loop stall, cold: the slowest slice', ms(coldSlices)],
      ['(a) longest event-loop stall, warm: the slowest slice', ms(Math.max(...slices.slice(coldSliceCount), ...wide.ms, ...narrow.ms))],
      [`(b) one pass after one new version, ${wide.jobs} jobs requested (median)`, ms(median(wide.ms))],
      [`(b) one pass after one new version, ${narrow.jobs} job requested (median)`, ms(median(narrow.ms))],
      ['(c) RSS of a fresh engine after its first full pass', mb(memory.rss)],
      ['(c) of which the process before opening the engine', mb(memory.baselineRss)],
      ['(c) JavaScript heap in use', mb(memory.heapUsed)],
      ['    its first full pass (cold cache, fresh process)', ms(memory.passMs)],
      ['(d) checks per second, trivial type, new version each', checksWithWrites.toFixed(0)],
      ['(d) checks per second, trivial type, nothing new', checksNothingNew.toFixed(0)],
    ],
  };
  console.log(JSON.stringify(figures));
} finally {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

interface ScaleFigures {
  setup: string;
  rows: Array<[string, string]>;
}

function compareScales(): void {
  const scales = (process.env.WEIR_BENCH_SCALES ?? '1,4,10').split(',').map(Number);
  if (scales.some((scale) => !Number.isInteger(scale) || scale < 1)) {
    console.error(`bench scheduling: WEIR_BENCH_SCALES must be whole numbers of at least 1, separated by commas (it is "${process.env.WEIR_BENCH_SCALES}")`);
    process.exit(1);
  }
  const results: ScaleFigures[] = [];
  for (const scale of scales) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), SCALE_FLAG, String(scale)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) {
      console.error(`bench scheduling: the ${scale}× run failed (exit ${child.status})`);
      process.exit(1);
    }
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as ScaleFigures);
  }
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}; checker concurrency 8; each scale in a fresh process`);
  scales.forEach((scale, i) => console.log(`${scale}×: ${results[i]?.setup}`));
  console.log();
  const labels = results[0]?.rows.map(([label]) => label) ?? [];
  const width = Math.max(...labels.map((label) => label.length));
  // Two spaces between columns, however long a figure (a cold pass at 10× can take over 10 s).
  const column = 2 + Math.max(8, ...results.flatMap((result) => result.rows.map(([, value]) => value.length)));
  console.log(`${''.padEnd(width)}  ${scales.map((scale) => `${scale}×`.padStart(column)).join('')}  goal`);
  labels.forEach((label, row) => {
    const byScale = Object.entries(GOALS[label] ?? {});
    const goals = new Set(byScale.map(([, goal]) => goal)).size === 1 && byScale.length > 1 ? (byScale[0]?.[1] ?? '') : byScale.map(([scale, goal]) => `${goal} at ${scale}×`).join(', ');
    console.log(`${label.padEnd(width)}  ${results.map((result) => (result.rows[row]?.[1] ?? '').padStart(column)).join('')}  ${goals}`);
  });
}
