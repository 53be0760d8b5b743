import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesExecutor } from '../../../src/executors/kubernetes/index.js';
import type { TaskRun } from '../../../src/executors/executor.js';
import { freshType, pushWithType } from '../../../../resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../../../resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../../../resources/test/registry-image/support/registry.js';
import { requireTools } from '../../../../resources/test/registry-image/support/tools.js';
import { simulatorKubeconfig } from '../../../../../test/support/kube/kubeconfig.js';
import { registryImagePuller } from '../../../../../test/support/kube/registry-puller.js';
import { startKubeSimulator, type KubeSimulator } from '../../../../../test/support/kube/simulator.js';
import { silentLogger } from '../../support/engine.js';
import { shapeProblems } from '../../support/kube-openapi-shapes.js';
import { busyboxLayer, requireSandbox } from '../../support/sandbox-images.js';

const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('KubernetesExecutor against the simulator, whose kubelet runs pods in the sandbox', () => {
  let registry: RunningRegistry;
  let sim: KubeSimulator;
  let root: string;
  let kubeconfig: string;
  let image: string;

  beforeAll(async () => {
    registry = await startRegistry();
    root = mkdtempSync(join(tmpdir(), 'weir-kube-executor-'));
    const built = await buildImage({ layers: [busyboxLayer({ users: ['builder:x:1000:1000::/home/builder:/bin/sh'] })], env: ['PATH=/bin'], user: '' });
    const repository = `${registry.host}/tools/busybox`;
    image = `${repository}@${await pushWithType(freshType(), { repository, tag: 'stable', insecure: true }, built)}`;
    sim = await startKubeSimulator({ pullImage: await registryImagePuller(join(root, 'node-images')), node: { nodeLabels: { pool: 'general' } } });
    sim.createNamespace('ci');
    kubeconfig = join(root, 'kubeconfig');
    writeFileSync(kubeconfig, simulatorKubeconfig(sim, 'ci'));
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const executor = (options: Partial<ConstructorParameters<typeof KubernetesExecutor>[0]> = {}) =>
    new KubernetesExecutor({ kubeconfig, helperImage: image, engineId: 'test', unschedulableAfterMs: 0, logger: silentLogger, ...options });

  function task(script: string, overrides: Partial<TaskRun> = {}): TaskRun & { lines: string[]; notices: string[] } {
    const workDir = mkdtempSync(join(root, 'work-'));
    const lines: string[] = [];
    const notices: string[] = [];
    return {
      workDir,
      inputs: [],
      outputs: [],
      caches: [],
      run: { path: 'sh', args: ['-c', script] },
      env: { GREETING: 'hello' },
      imageReference: image,
      owner: { team: 'main', pipeline: 'app', job: 'unit', buildId: 7, buildName: '7', step: 'test' },
      signal: new AbortController().signal,
      onOutput: (_stream, line) => lines.push(line),
      onNotice: (line) => notices.push(line),
      lines,
      notices,
      ...overrides,
    };
  }

  it('sends inputs in, streams the log, takes outputs and caches back from a failed task, and deletes the pod', async () => {
    const input = mkdtempSync(join(root, 'input-'));
    mkdirSync(join(input, 'sub'));
    writeFileSync(join(input, 'sub/data.txt'), 'from the engine\n');
    const cacheStore = join(root, 'cache-store');
    mkdirSync(cacheStore);
    writeFileSync(join(cacheStore, 'seen'), 'cached once\n');
    const run = task('cat repo/sub/data.txt; cat .cache/seen; echo "$GREETING from $(pwd | cut -d/ -f2-3)"; echo made > out/result.txt; echo again >> .cache/seen; echo to stderr >&2; exit 3', {
      inputs: [{ name: 'repo', path: 'repo', source: input }],
      outputs: [{ name: 'out', path: 'out' }],
      caches: [{ path: '.cache', store: cacheStore }],
    });
    const result = await executor().runTask(run);
    expect(result.exitStatus).toBe(3);
    expect(run.lines).toEqual(['from the engine', 'cached once', 'hello from tmp/build', 'to stderr']);
    expect(readFileSync(join(result.outputs.out!, 'result.txt'), 'utf8')).toBe('made\n');
    expect(readFileSync(join(cacheStore, 'seen'), 'utf8')).toBe('cached once\nagain\n');
    expect(readFileSync(join(input, 'sub/data.txt'), 'utf8')).toBe('from the engine\n');
    const podName = run.notices.find((line) => line.startsWith('pod '))!.split(' ')[1]!;
    expect(podName).toMatch(/^weir-7-test-[0-9a-f]{8}$/);
    const created = sim.requests.find((line) => line.startsWith('POST /api/v1/namespaces/ci/pods'));
    expect(created).toBeDefined();
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('labels the pod with team, pipeline, job and build, runs as run.user, and gives it no service account token', async () => {
    let seen: Record<string, unknown> | undefined;
    const unsubscribe = sim.store.subscribe((event) => {
      if (event.resource === 'pods' && event.type === 'ADDED') seen = event.object;
    });
    const run = task('', { run: { path: 'sh', args: ['-c', 'id -u; touch out/mine && stat -c %u out/mine'], user: '1000' }, outputs: [{ name: 'out', path: 'out' }] });
    const result = await executor().runTask(run);
    unsubscribe();
    expect(result.exitStatus).toBe(0);
    expect(run.lines).toEqual(['1000', '1000']);
    expect(seen?.metadata).toMatchObject({ labels: { 'app.kubernetes.io/managed-by': 'weir', 'weir.dev/engine': 'test', 'weir.dev/team': 'main', 'weir.dev/pipeline': 'app', 'weir.dev/job': 'unit', 'weir.dev/build': '7' } });
    expect(seen?.spec).toMatchObject({ automountServiceAccountToken: false, restartPolicy: 'Never' });
    // What the simulator served for the pod and its events, held to the Kubernetes OpenAPI types.
    const served = sim.store.changesSince(0).filter((change) => change.resource === 'pods' && change.object.metadata.name === (seen?.metadata as { name?: string } | undefined)?.name);
    expect(served.length).toBeGreaterThan(3);
    expect(served.flatMap((change) => shapeProblems(change.object, 'V1Pod'))).toEqual([]);
    expect(sim.store.list('events', 'ci').flatMap((event) => shapeProblems(event, 'CoreV1Event'))).toEqual([]);
  }, 60_000);

  it('mounts a claim that keeps what tasks write, one read-write task at a time for a ReadWriteOnce claim', async () => {
    sim.createClaim('ci', 'shared');
    writeFileSync(join(sim.kubelet.claimDirectory('ci', 'shared'), 'log'), 'seeded\n');
    const writer = () => task('echo start >> db/log; sleep 1; echo end >> db/log', { claims: [{ claim: 'shared', path: 'db', readOnly: false }] });
    const one = executor();
    const results = await Promise.all([one.runTask(writer()), one.runTask(writer())]);
    expect(results.map((result) => result.exitStatus)).toEqual([0, 0]);
    expect(readFileSync(join(sim.kubelet.claimDirectory('ci', 'shared'), 'log'), 'utf8')).toBe('seeded\nstart\nend\nstart\nend\n');
    await expect(executor().runTask(task('true', { claims: [{ claim: 'absent', path: 'db', readOnly: true }] }))).rejects.toMatchObject({ code: 'kubernetes-claim-not-found' });
  }, 60_000);

  it('deletes the pod when the task is aborted', async () => {
    const controller = new AbortController();
    const run = task('echo started; sleep 30', { signal: controller.signal });
    const running = executor().runTask(run);
    await waitFor(() => run.lines.includes('started'));
    controller.abort(new Error('aborted by the user'));
    await expect(running).rejects.toThrow('aborted by the user');
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('errors with the scheduler\'s words when no node matches the tag\'s node selector', async () => {
    const run = task('true', { tags: ['gpu'] });
    const failure = executor({ tags: { gpu: { nodeSelector: { accelerator: 'nvidia' } } } }).runTask(run);
    await expect(failure).rejects.toMatchObject({ code: 'kubernetes-unschedulable', message: expect.stringContaining("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector") });
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('errors with the kubelet\'s reason when the image cannot be pulled', async () => {
    const missing = `${registry.host}/tools/nothing@sha256:${'0'.repeat(64)}`;
    const run = task('true', { imageReference: missing });
    await expect(executor().runTask(run)).rejects.toMatchObject({ code: 'kubernetes-image-pull-failed', message: expect.stringContaining(`cannot pull ${missing}: ErrImagePull`) });
  }, 60_000);

  it('errors naming the memory limit when the kubelet reports the task\'s container OOMKilled, and deletes the pod', async () => {
    const statuses: unknown[] = [];
    const unsubscribe = sim.store.subscribe((event) => {
      const task = (event.object.status?.containerStatuses as Array<{ name: string; state?: { terminated?: unknown } }> | undefined)?.find((status) => status.name === 'task');
      if (event.resource === 'pods' && task?.state?.terminated) statuses.push(task.state.terminated);
    });
    // The shell holds 48 MB in a variable, past the 32 MiB limit, until the kubelet kills it.
    const run = task("x=$(head -c 48000000 /dev/zero | tr '\\0' a); echo allocated; sleep 60", { containerLimits: { memory: 33554432 } });
    await expect(executor().runTask(run)).rejects.toMatchObject({
      code: 'kubernetes-oom-killed',
      message: expect.stringMatching(/^pod weir-7-test-\w+: the task's container was OOMKilled \(exit code 137\): it used more than its memory limit of 33554432 bytes \(32 MiB\)$/),
      hint: expect.stringContaining('container_limits.memory'),
    });
    unsubscribe();
    expect(statuses[0]).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(statuses.flatMap((status) => shapeProblems(status, 'V1ContainerStateTerminated'))).toEqual([]);
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('errors naming the verb and resource when the namespace is forbidden', async () => {
    sim.createNamespace('prod');
    sim.forbid({ verb: 'create', resource: 'pods', namespace: 'prod' });
    await expect(executor({ namespace: 'prod' }).runTask(task('true'))).rejects.toMatchObject({
      code: 'kubernetes-forbidden',
      message: expect.stringMatching(/^creating pod weir-7-test-\w+ in namespace prod: pods is forbidden: User "system:serviceaccount:weir:weir" cannot create resource "pods" in API group "" in the namespace "prod"$/),
      hint: expect.stringContaining('create, get, list, watch and delete on pods'),
    });
  }, 60_000);

  it('errors saying where it tried when the API server is unreachable', async () => {
    const closed = join(root, 'closed-kubeconfig');
    writeFileSync(closed, simulatorKubeconfig({ url: 'http://127.0.0.1:1', token: 'x' }, 'ci'));
    await expect(executor({ kubeconfig: closed }).runTask(task('true'))).rejects.toMatchObject({ code: 'kubernetes-api-unreachable', message: expect.stringContaining('cannot reach the Kubernetes API at http://127.0.0.1:1') });
  });

  it('deletes at start the pods an earlier run of the same engine left, and no one else\'s', async () => {
    const pod = (name: string, engine: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ci', labels: { 'app.kubernetes.io/managed-by': 'weir', 'weir.dev/engine': engine } }, spec: { containers: [{ name: 'x', image: 'none', command: ['true'] }] } });
    sim.kubelet.unpullableImages.set('none', 'not found');
    sim.store.create('pods', pod('left-behind', 'test'), new Date());
    sim.store.create('pods', pod('other-engine', 'other'), new Date());
    expect(await executor().deleteLeftPods()).toBe(1);
    expect(sim.store.list('pods', 'ci').map((entry) => entry.metadata.name)).toEqual(['other-engine']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
