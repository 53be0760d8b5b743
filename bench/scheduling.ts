/**
 * The scheduler and checker at the scale issue 3 sets: 1,000 jobs in fan-out/fan-in chains
 * with `passed`, 1,000 resources with 100 versions each, 10,000 past builds. Prints figures
 * and asserts nothing. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes, type ResourceType } from '@weir/resources';

const GROUPS = 100; // 10 jobs and 10 resources each
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
function pipelineText(): string {
  const lines: string[] = ['resources:'];
  for (let g = 0; g < GROUPS; g++) {
    for (let r = 0; r < 10; r++) lines.push(`- name: g${g}r${r}`, '  type: trivial', '  check_every: never', `  source: {key: g${g}r${r}}`);
  }
  lines.push('jobs:');
  const job = (g: number, j: number, gets: string[]): void => {
    lines.push(`- name: g${g}j${j}`, '  plan:', ...gets.map((get) => `  - ${get}`));
  };
  for (let g = 0; g < GROUPS; g++) {
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
  const { pipeline } = engine.setPipeline({ name: 'bench', text: pipelineText() });
  const resources = store.resources.list(pipeline.id);
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
      if (pass.startedBuildIds.length === 0 && pass.createdBuildIds.length === 0) return builds;
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
  store.history.forgetAll();
  store.jobs.requestAll();
  const coldPass = engine.scheduler.runOnce();
  const fullPasses: number[] = [];
  for (let i = 0; i < PASS_SAMPLES; i++) {
    store.jobs.requestAll();
    fullPasses.push(engine.scheduler.runOnce().durationMs);
  }


  // (b) One pass after a single new version, of a resource all ten jobs of a chain get (r0)
  // and of one a single job gets (r3); the builds it starts are succeeded between samples.
  const onePass = (resourceName: string): { ms: number[]; jobs: number } => {
    const samples: number[] = [];
    let jobs = 0;
    for (let i = 0; i < PASS_SAMPLES; i++) {
      const resource = store.resources.get(pipeline.id, `g${(i * 7) % GROUPS}${resourceName}`)!;
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

  const jobCount = store.jobs.list(pipeline.id).length;

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

  const rows: Array<[string, string, string]> = [
    ['(a) full pass, every job requested, warm (median)', ms(median(fullPasses)), '< 100 ms'],
    ['(a) full pass, cold cache (first pass after start)', ms(coldPass.durationMs), ''],
    [`(b) one pass after one new version, ${wide.jobs} jobs requested (median)`, ms(median(wide.ms)), '< 5 ms'],
    [`(b) one pass after one new version, ${narrow.jobs} job requested (median)`, ms(median(narrow.ms)), '< 5 ms'],
    ['(c) RSS of a fresh engine after its first full pass', mb(memory.rss), '< 200 MB'],
    ['(c) of which the process before opening the engine', mb(memory.baselineRss), ''],
    ['(c) JavaScript heap in use', mb(memory.heapUsed), ''],
    ['    its first full pass (cold cache, fresh process)', ms(memory.passMs), ''],
    ['(d) checks per second, trivial type, new version each', checksWithWrites.toFixed(0), ''],
    ['(d) checks per second, trivial type, nothing new', checksNothingNew.toFixed(0), ''],
  ];
  console.log(`installation: ${resources.length} resources, ${versionCount} versions, ${jobCount} jobs, ${builds} builds (set up in ${(setupMs / 1000).toFixed(1)} s)`);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}; checker concurrency 8; data on ${dataDir}`);
  console.log();
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value, target] of rows) console.log(`${label.padEnd(width)}  ${value.padStart(10)}  ${target}`);
} finally {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
