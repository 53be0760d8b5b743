/**
 * Issue 14's sandbox figures, on a real engine (data directory on disk) and a local registry:
 *   (a) trivial builds (one task running `true`) triggered at once, in the sandbox (image
 *       cached) and on the host in the same run: builds/s and their ratio (goal ≥ 0.5);
 *   (b) task start overhead of the sandbox over the host, one build at a time: p50 of
 *       trigger → build ended, each way, and the difference (goal < 50 ms);
 *   (c) first fetch of a 100 MB image from the local registry into the image store (what a
 *       task's first run waits for), beside `skopeo copy` of the same image to a directory
 *       (goal within 1.5×), the median of alternated rounds.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { ImageStore } from '../packages/engine/src/executors/sandbox/image-store.js';
import { leaseImageResource } from '../packages/engine/src/executors/sandbox/image-resource.js';
import { busyboxLayer } from '../packages/engine/test/support/sandbox-images.js';
import { freshType, pushWithType } from '../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../packages/resources/test/registry-image/support/images.js';
import { startRegistry } from '../packages/resources/test/registry-image/support/registry.js';
import { testContext } from '../packages/resources/test/support/context.js';

const TRIVIAL_BUILDS = 200;
const LATENCY_SAMPLES = 50;
const BIG_IMAGE_BYTES = 100 * 2 ** 20;
const FETCH_ROUNDS = 5;

const registry = await startRegistry().catch((error: Error) => {
  console.error(`bench sandbox needs Debian's docker-registry: ${error.message}`);
  process.exit(1);
});
const root = mkdtempSync(join(tmpdir(), 'weir-bench-sandbox-'));
const figures: string[] = [];
const type = freshType();
const source = (repository: string) => ({ repository: `${registry.host}/bench/${repository}`, tag: 'latest', insecure: true });

const seconds = (since: number): number => (performance.now() - since) / 1000;
const p50 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const digest = await pushWithType(type, source('busybox'), await buildImage({ layers: [busyboxLayer()], env: ['PATH=/bin'] }));
  const image = `
      image_resource:
        type: registry-image
        source: {repository: ${registry.host}/bench/busybox, tag: latest, insecure: true}
        version: {digest: '${digest}'}`;
  const pipeline = `
jobs:
- name: host
  plan:
  - task: noop
    config:
      platform: linux
      run: {path: /bin/true}
- name: sandbox
  plan:
  - task: noop
    config:
      platform: linux${image}
      run: {path: /bin/true}
`;
  const engine = Engine.open({ dataDir: join(root, 'data'), resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  try {
    engine.setPipeline({ name: 'bench', text: pipeline });
    engine.start();
    const pipelineId = engine.store.pipelines.get({ name: 'bench' })!.id;
    const job = (name: string) => engine.store.jobs.get(pipelineId, name)!.id;
    const waitForEnd = async (buildId: number): Promise<void> => {
      for await (const batch of engine.events.followBatches(buildId)) void batch;
    };
    const runOne = async (name: string): Promise<number> => {
      const started = performance.now();
      const build = engine.triggerJob(job(name));
      await waitForEnd(build.id);
      const status = engine.store.builds.byId(build.id)!.status;
      if (status !== 'succeeded') throw new Error(`${name} build ${build.id} ${status}: ${JSON.stringify(engine.events.list(build.id).filter((e) => e.type === 'error'))}`);
      return performance.now() - started;
    };
    // The image into the cache, and both paths warm.
    await runOne('sandbox');
    await runOne('host');

    // (a)
    const rate = async (name: string): Promise<number> => {
      const started = performance.now();
      const builds = Array.from({ length: TRIVIAL_BUILDS }, () => engine.triggerJob(job(name)));
      await Promise.all(builds.map((b) => waitForEnd(b.id)));
      const failed = builds.filter((b) => engine.store.builds.byId(b.id)!.status !== 'succeeded').length;
      if (failed > 0) throw new Error(`${failed} ${name} builds did not succeed`);
      return TRIVIAL_BUILDS / seconds(started);
    };
    const hostRate = await rate('host');
    const sandboxRate = await rate('sandbox');
    figures.push(`(a) ${TRIVIAL_BUILDS} trivial builds at once: sandbox ${sandboxRate.toFixed(1)} builds/s, host ${hostRate.toFixed(1)} builds/s, ratio ${(sandboxRate / hostRate).toFixed(2)} (goal ≥ 0.5)`);

    // (b) In turns, so a burst of load meets both alike.
    const host: number[] = [];
    const sandbox: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      host.push(await runOne('host'));
      sandbox.push(await runOne('sandbox'));
    }
    figures.push(
      `(b) trigger → build ended, one at a time, ${LATENCY_SAMPLES} each: sandbox p50 ${p50(sandbox).toFixed(1)} ms, host p50 ${p50(host).toFixed(1)} ms: start overhead p50 ${(p50(sandbox) - p50(host)).toFixed(1)} ms (goal < 50 ms)`,
    );
  } finally {
    await engine.stop();
  }

  // (c) Random bytes do not compress: the layer is as big in the registry as on disk.
  const big = await buildImage({ layers: [[...busyboxLayer(), { path: 'data/blob', file: randomBytes(BIG_IMAGE_BYTES) }]], env: ['PATH=/bin'] });
  await pushWithType(type, source('big'), big);
  // Alternated rounds, each a first fetch into an empty store, and medians: one sample of each
  // swings from 0.8× to 3.8× on a busy machine.
  const weirRounds: number[] = [];
  const skopeoRounds: number[] = [];
  let megabytes = 0;
  for (let round = 0; round < FETCH_ROUNDS; round++) {
    const storeRoot = join(root, `images-${round}`);
    const store = await ImageStore.open({ root: storeRoot, maxBytes: 10 * 2 ** 30, logger: createLogger({ level: 'silent' }) });
    const fetchStarted = performance.now();
    const lease = await leaseImageResource({ resource: { type: 'registry-image', source: source('big') }, type, context: testContext(), store, location: 'the bench image' });
    weirRounds.push(seconds(fetchStarted));
    if (!lease.fetched) throw new Error('the big image was already in the store');
    megabytes = lease.bytes / 2 ** 20;
    lease.release();
    rmSync(storeRoot, { recursive: true, force: true });
    const skopeoDir = join(root, `skopeo-${round}`);
    const skopeoStarted = performance.now();
    const skopeo = spawnSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/bench/big:latest`, `dir:${skopeoDir}`], { encoding: 'utf8' });
    skopeoRounds.push(seconds(skopeoStarted));
    if (skopeo.status !== 0) throw new Error(`skopeo copy failed: ${skopeo.stderr || skopeo.error?.message}`);
    rmSync(skopeoDir, { recursive: true, force: true });
  }
  const weirSeconds = p50(weirRounds);
  const skopeoSeconds = p50(skopeoRounds);
  const list = (values: number[]): string => values.map((v) => v.toFixed(2)).join(', ');
  figures.push(
    `(c) first fetch of a ${megabytes.toFixed(0)} MB image (check, download, unpack into the store), median of ${FETCH_ROUNDS} alternated rounds: weir ${weirSeconds.toFixed(2)} s (${list(weirRounds)}), skopeo copy to a dir ${skopeoSeconds.toFixed(2)} s (${list(skopeoRounds)}), ratio ${(weirSeconds / skopeoSeconds).toFixed(2)} (goal ≤ 1.5)`,
  );
} finally {
  await registry.stop();
  rmSync(root, { recursive: true, force: true });
}
for (const line of figures) console.log(line);
// Both sides of each comparison ran in turns on the same machine; the absolute figures grow with its load.
console.log(`load average at the end: ${loadavg().map((n) => n.toFixed(1)).join(', ')} on ${availableParallelism()} CPUs`);
