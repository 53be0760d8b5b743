/**
 * Tasks as pods against the Kubernetes simulator, whose kubelet runs each container in the
 * sandbox: pods started per second (bare pods, and whole task round trips through the
 * executor, and resource scripts' check/in/out runs), and artifact transfer in and out of a pod over exec next to the same bytes through
 * `tar | tar` on a pipe in the same run. Prints figures and asserts nothing; see bench/README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sendInputs, takeOutputs } from '../packages/engine/src/executors/kubernetes/artifact-transfer.js';
import { connectToCluster } from '../packages/engine/src/executors/kubernetes/cluster-connection.js';
import { KubernetesExecutor } from '../packages/engine/src/executors/kubernetes/kubernetes-executor.js';
import { podStage } from '../packages/engine/src/executors/kubernetes/pod-stage.js';
import { PodWatch } from '../packages/engine/src/executors/kubernetes/pod-watch.js';
import { taskPod } from '../packages/engine/src/executors/kubernetes/task-pod.js';
import { createLogger } from '../packages/engine/src/logging.js';
import { busyboxLayer } from '../packages/engine/test/support/sandbox-images.js';
import { freshType, pushWithType } from '../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../packages/resources/test/registry-image/support/images.js';
import { startRegistry } from '../packages/resources/test/registry-image/support/registry.js';
import { simulatorKubeconfig } from '../test/support/kube/kubeconfig.js';
import { registryImagePuller } from '../test/support/kube/registry-puller.js';
import { startKubeSimulator } from '../test/support/kube/simulator.js';

const BARE_PODS = 30;
const TASKS = 20;
const TASK_CONCURRENCY = 4;
const SCRIPTS = 20;
const TRANSFER_MB = 64;

if (spawnSync('bwrap', ['--version']).error) {
  console.error('bench: bubblewrap is not installed (apt-get install bubblewrap busybox-static)');
  process.exit(1);
}
const registry = await startRegistry().catch((error: Error) => {
  console.error(`bench: cannot start docker-registry (apt-get install docker-registry): ${error.message}`);
  process.exit(1);
});
const root = mkdtempSync(join(os.tmpdir(), 'weir-bench-cluster-'));
const sim = await startKubeSimulator({ pullImage: await registryImagePuller(join(root, 'node-images')) });
const logger = createLogger({ level: 'silent' });

try {
  const repository = `${registry.host}/bench/busybox`;
  const image = `${repository}@${await pushWithType(freshType(), { repository, tag: 'bench', insecure: true }, await buildImage({ layers: [busyboxLayer()], env: ['PATH=/bin'], user: '' }))}`;
  const kubeconfig = join(root, 'kubeconfig');
  writeFileSync(kubeconfig, simulatorKubeconfig(sim, 'default'));
  const connection = await connectToCluster(kubeconfig);

  // Bare pods: created together, timed until every container has exited (the node pulls once).
  const bare = (index: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `bench-${index}` }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image, command: ['true'] }] } });
  await connection.core.createNamespacedPod({ namespace: 'default', body: bare(-1) });
  await until(() => sim.store.get('pods', 'default', 'bench--1')?.status?.phase === 'Succeeded');
  let started = performance.now();
  await Promise.all(Array.from({ length: BARE_PODS }, (_, index) => connection.core.createNamespacedPod({ namespace: 'default', body: bare(index) })));
  await until(() => sim.store.list('pods', 'default').filter((pod) => pod.status?.phase === 'Succeeded').length === BARE_PODS + 1);
  const barePerSecond = BARE_PODS / ((performance.now() - started) / 1000);
  for (const pod of sim.store.list('pods', 'default')) await connection.core.deleteNamespacedPod({ name: pod.metadata.name, namespace: 'default' });

  // Whole tasks: pod, inputs in, run, outputs out, delete.
  const executor = new KubernetesExecutor({ kubeconfig, namespace: 'default', helperImage: image, engineId: 'bench', maxConcurrentTasks: TASK_CONCURRENCY, logger });
  const task = () => {
    const workDir = mkdtempSync(join(root, 'work-'));
    return executor.runTask({ workDir, inputs: [], outputs: [{ name: 'out', path: 'out' }], caches: [], run: { path: 'sh', args: ['-c', 'echo done > out/x'] }, env: {}, imageReference: image, signal: new AbortController().signal, onOutput: () => undefined });
  };
  await task();
  started = performance.now();
  await Promise.all(Array.from({ length: TASKS }, task));
  const tasksPerSecond = TASKS / ((performance.now() - started) / 1000);

  // Resource scripts as a cluster runs them: a request on stdin, the response read back (cat echoes it).
  const request = JSON.stringify({ source: { uri: 'https://example.com/repo.git' }, version: { ref: 'abc' } });
  const script = () => executor.runScript({ image, argv: ['/bin/cat'], stdin: request, env: {}, privileged: false, maxStdoutBytes: 1 << 20, scratch: root, name: 'check-bench', location: 'bench', signal: new AbortController().signal, onStderr: () => undefined });
  if ((await script()).stdout.toString() !== request) throw new Error('bench: the script pod did not echo its request');
  started = performance.now();
  await Promise.all(Array.from({ length: SCRIPTS }, script));
  const scriptsPerSecond = SCRIPTS / ((performance.now() - started) / 1000);

  // Transfer: a pod whose task copies its input to its output, timed around each exec.
  const input = join(root, 'transfer-in');
  mkdirSync(join(input, 'data'), { recursive: true });
  mkdirSync(join(input, 'out'));
  for (let index = 0; index < TRANSFER_MB; index++) writeFileSync(join(input, 'data', `part-${index}`), randomBytes(1 << 20));
  const manifest = taskPod({ engineId: 'bench', namespace: 'default', image, helperImage: image, workPath: '/tmp/build/bench', run: { path: 'sh', args: ['-c', 'cp -r data/. out/'] }, env: {}, privileged: false, inputsWithinSeconds: 600, outputsWithinSeconds: 600, nameSuffix: 'transfer', location: 'bench' });
  const created = await connection.core.createNamespacedPod({ namespace: 'default', body: manifest });
  const watch = new PodWatch(connection, created, () => undefined);
  await watch.start();
  const signal = new AbortController().signal;
  const target = { namespace: 'default', pod: manifest.metadata!.name! };
  while (podStage(await watch.next(signal, 200)).stage !== 'inputs-wanted');
  started = performance.now();
  const sent = await sendInputs(connection, target, input, undefined, signal);
  const inMs = performance.now() - started;
  while (podStage(await watch.next(signal, 200)).stage !== 'exited');
  const back = mkdtempSync(join(root, 'transfer-out-'));
  started = performance.now();
  const taken = await takeOutputs(connection, target, back, ['out'], signal);
  const outMs = performance.now() - started;
  watch.stop();
  await connection.core.deleteNamespacedPod({ name: target.pod, namespace: 'default' });

  const piped = mkdtempSync(join(root, 'piped-'));
  started = performance.now();
  execFileSync('sh', ['-c', `tar -c -f - -C "${input}" . | tar -x -f - -C "${piped}"`]);
  const pipeMs = performance.now() - started;

  const mb = (bytes: number, ms: number) => (bytes / 2 ** 20 / (ms / 1000)).toFixed(1);
  console.log(`tasks as pods on the simulator (kubelet runs containers with bubblewrap), ${os.cpus().length} cores`);
  console.log(`  bare pods started and run to exit, ${BARE_PODS} at once      ${barePerSecond.toFixed(1).padStart(7)} pods/s`);
  console.log(`  task round trips (pod, inputs, run, outputs, delete), ${TASK_CONCURRENCY} at once  ${tasksPerSecond.toFixed(1).padStart(7)} tasks/s`);
  console.log(`  resource script round trips (stdin in, stdout back), ${TASK_CONCURRENCY} at once   ${scriptsPerSecond.toFixed(1).padStart(7)} runs/s`);
  console.log(`  artifacts into a pod over exec (${(sent / 2 ** 20).toFixed(0)} MB tar)        ${mb(sent, inMs).padStart(7)} MB/s`);
  console.log(`  artifacts out of a pod over exec (${(taken / 2 ** 20).toFixed(0)} MB tar)      ${mb(taken, outMs).padStart(7)} MB/s`);
  console.log(`  the same ${TRANSFER_MB} MB through tar | tar on a pipe        ${mb(TRANSFER_MB * 2 ** 20, pipeMs).padStart(7)} MB/s`);
} finally {
  await sim.stop();
  await registry.stop();
  rmSync(root, { recursive: true, force: true });
}

async function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('bench: timed out waiting for the simulator');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
