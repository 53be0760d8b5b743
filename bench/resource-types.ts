/**
 * What a check of a resource type run from an image costs: the first (fetching the type's
 * image), then with the image cached, beside a built-in type's check and a bare sandbox start in
 * the same run, and checks per second across many resources. Prints figures, asserts nothing;
 * see bench/README.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLogger, Engine } from '../packages/engine/src/index.js';
import { runSandboxed } from '../packages/engine/src/executors/sandbox/sandbox-process.js';
import { fileStoreTypeLayer, startFileStoreServer } from '../packages/engine/test/support/file-store-type.js';
import { freshType, pushWithType } from '../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../packages/resources/test/registry-image/support/images.js';
import { startRegistry } from '../packages/resources/test/registry-image/support/registry.js';
import { implementedResourceTypes } from '../packages/resources/src/index.js';

const ROUNDS = 31;
const RESOURCES = 40;

const registry = await startRegistry().catch((error: Error) => {
  console.error(`bench: cannot start docker-registry (apt-get install docker-registry): ${error.message}`);
  process.exit(1);
});
const files = await startFileStoreServer();
const dataDir = mkdtempSync(join(os.tmpdir(), 'weir-bench-types-'));
let engine: Engine | undefined;

try {
  const repository = `${registry.host}/types/file-store`;
  await pushWithType(freshType(), { repository, tag: 'latest', insecure: true }, await buildImage({ layers: [fileStoreTypeLayer()], env: ['PATH=/bin'] }));
  for (let i = 0; i < RESOURCES; i++) files.add(`store-${i}`, `value ${i}`);
  const resources = Array.from({ length: RESOURCES }, (_, i) => `- name: r${i}\n  type: file-store\n  source: {url: "${files.storeUrl(`store-${i}`)}"}\n`).join('');
  const gets = Array.from({ length: RESOURCES }, (_, i) => `  - get: r${i}\n`).join('');
  const text = `resource_types:
- name: file-store
  type: registry-image
  source: {repository: "${repository}", tag: latest, insecure: true}
resources:
${resources}- name: builtin
  type: mock
  source: {initial_version: one}
jobs:
- name: job
  plan:
${gets}  - get: builtin
`;
  engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  engine.setPipeline({ name: 'bench', text });
  const pipelineId = engine.store.pipelines.get({ name: 'bench' })!.id;
  const idOf = (name: string) => engine!.store.resources.get(pipelineId, name)!.id;
  const check = async (name: string): Promise<number> => {
    const started = performance.now();
    const outcome = await engine!.checker.checkResource(idOf(name));
    if (!outcome.ok) throw new Error(`check of ${name} failed: ${outcome.error}`);
    return performance.now() - started;
  };

  const first = await check('r0');
  const cached: number[] = [];
  const builtin: number[] = [];
  const bare: number[] = [];
  const store = await engine.imageStore();
  const [image] = store.list();
  const lease = await store.lease(image!.key, () => Promise.reject(new Error('cached')), { signal: new AbortController().signal, what: 'bench' });
  // In turns, so a burst of load meets each alike.
  for (let round = 0; round < ROUNDS; round++) {
    cached.push(await check('r0'));
    builtin.push(await check('builtin'));
    const started = performance.now();
    await runSandboxed({ rootfs: lease.rootfs, argv: ['true'], env: { PATH: '/bin' }, cwd: '/', signal: new AbortController().signal });
    bare.push(performance.now() - started);
  }
  lease.release();

  const started = performance.now();
  await Promise.all(Array.from({ length: RESOURCES - 1 }, (_, i) => check(`r${i + 1}`)));
  const perSecond = ((RESOURCES - 1) / (performance.now() - started)) * 1000;

  console.log(`resource type run from an image (busybox sh scripts, 1 HTTP request per check), ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}, median / p90 of ${ROUNDS}`);
  const rows: Array<[string, string]> = [
    ['first check, fetching the type\'s image (~1.2 MB)', `${first.toFixed(1)} ms`],
    ['check, image cached (nothing new)', spread(cached)],
    ['built-in mock check, same run', spread(builtin)],
    ['bare sandbox: bwrap running `true` in the image', spread(bare)],
    ['check overhead over the built-in, median', `${(median(cached) - median(builtin)).toFixed(1)} ms`],
    [`${RESOURCES - 1} resources checked at once (checker cap 8)`, `${perSecond.toFixed(1)} checks/s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
} finally {
  await engine?.stop();
  await files.stop();
  await registry.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function median(samples: number[]): number {
  return percentile(samples, 0.5);
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

function spread(samples: number[]): string {
  return `${median(samples).toFixed(1)} / ${percentile(samples, 0.9).toFixed(1)} ms`;
}
