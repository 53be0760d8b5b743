import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshType, pushWithType } from '../../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../packages/resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { busyboxLayer, requireSandbox } from '../../packages/engine/test/support/sandbox-images.js';
import { fileStoreTypeLayer, startFileStoreServer, type FileStoreServer } from '../../packages/engine/test/support/file-store-type.js';
import { simulatorKubeconfig } from '../support/kube/kubeconfig.js';
import { registryImagePuller } from '../support/kube/registry-puller.js';
import { startKubeSimulator, type KubeSimulator } from '../support/kube/simulator.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('weir up --task-executor kubernetes, against the simulated cluster', () => {
  let registry: RunningRegistry;
  let sim: KubeSimulator;
  let root: string;
  let image: string;
  let typeRepository: string;
  let files: FileStoreServer;
  const running: WeirProcess[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    root = mkdtempSync(join(tmpdir(), 'weir-cluster-e2e-'));
    const repository = `${registry.host}/tools/busybox`;
    image = `${repository}@${await pushWithType(freshType(), { repository, tag: 'stable', insecure: true }, await buildImage({ layers: [busyboxLayer()], env: ['PATH=/bin'], user: '' }))}`;
    // A Concourse resource type as users bring one: sh scripts over busybox, pushed to the registry.
    typeRepository = `${registry.host}/types/file-store`;
    await pushWithType(freshType(), { repository: typeRepository, tag: 'latest', insecure: true }, await buildImage({ layers: [fileStoreTypeLayer()], env: ['PATH=/bin'], user: '' }));
    files = await startFileStoreServer();
    sim = await startKubeSimulator({ pullImage: await registryImagePuller(join(root, 'node-images')) });
    sim.createNamespace('ci');
  }, 60_000);
  afterAll(async () => {
    for (const weir of running) await stopWeir(weir, 'SIGKILL');
    await files?.stop();
    await sim?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('runs a task as a pod, and deletes at its next start the pod a killed engine left', async () => {
    const kubeconfig = join(root, 'kubeconfig');
    writeFileSync(kubeconfig, simulatorKubeconfig(sim));
    const pipelines = join(root, 'pipelines');
    mkdirSync(pipelines);
    writeFileSync(
      join(pipelines, 'slow.yml'),
      `
jobs:
- name: work
  plan:
  - task: long
    config:
      platform: linux
      image_resource: {type: registry-image, source: {repository: ${image.split('@')[0]}, insecure: true}, version: {digest: "${image.split('@')[1]}"}}
      run: {path: sh, args: [-c, 'echo "in a pod as $BUILD_JOB_NAME"; sleep 120']}
`,
    );
    const dataDir = join(root, 'data');
    const args = ['--data', dataDir, '--pipelines', pipelines, '--task-executor', 'kubernetes', '--kubernetes-kubeconfig', kubeconfig, '--kubernetes-namespace', 'ci', '--kubernetes-helper-image', image, '--kubernetes-engine-id', 'e2e'];
    const first = await startWeirUp(args, { allowHostTasks: false });
    running.push(first);
    expect(first.stderr()).toContain('tasks with an image run as pods in namespace ci');
    await first.post('/pipelines/slow/unpause');
    await first.post('/pipelines/slow/jobs/work/builds');
    await waitFor(() => sim.store.list('pods', 'ci').some((pod) => pod.status?.containerStatuses?.some((status: { name: string; state?: { running?: object } }) => status.name === 'task' && status.state?.running)));
    const [pod] = sim.store.list('pods', 'ci');
    expect(pod?.metadata.labels).toMatchObject({ 'weir.dev/engine': 'e2e', 'weir.dev/pipeline': 'slow', 'weir.dev/job': 'work' });
    expect(sim.kubelet.containerLog('ci', pod!.metadata.name, 'task')).toBeDefined();

    await stopWeir(first, 'SIGKILL');
    expect(sim.store.list('pods', 'ci').map((left) => left.metadata.name)).toEqual([pod!.metadata.name]);

    const second = await startWeirUp(args, { allowHostTasks: false });
    running.push(second);
    await waitFor(() => sim.store.list('pods', 'ci').length === 0);
    await stopWeir(second, 'SIGTERM');
  }, 120_000);

  it('checks, gets and puts a declared resource type through pods of its image', async () => {
    files.add('inbox', 'hello');
    const kubeconfig = join(root, 'kubeconfig-types');
    writeFileSync(kubeconfig, simulatorKubeconfig(sim));
    const dataDir = join(root, 'data-types');
    const weir = await startWeirUp(['--data', dataDir, '--task-executor', 'kubernetes', '--kubernetes-kubeconfig', kubeconfig, '--kubernetes-namespace', 'ci', '--kubernetes-helper-image', image, '--kubernetes-engine-id', 'e2e-types'], { allowHostTasks: false });
    running.push(weir);
    const env = { WEIR_URL: weir.url, WEIR_DATA: dataDir };
    const file = join(root, 'types.yml');
    writeFileSync(
      file,
      `resource_types:
- name: file-store
  type: registry-image
  source: {repository: "${typeRepository}", tag: latest, insecure: true}
resources:
- name: inbox
  type: file-store
  source: {url: "${files.storeUrl('inbox')}"}
- name: outbox
  type: file-store
  source: {url: "${files.storeUrl('outbox')}"}
jobs:
- name: forward
  plan:
  - get: inbox
    trigger: true
  - put: outbox
    params: {file: inbox/value}
`,
    );
    const set = await runWeir(['set-pipeline', '-p', 'types', '-c', file, '-n'], env);
    expect(set.status, set.stderr).toBe(0);
    const checked = await runWeir(['check-resource', '-r', 'types/inbox'], env);
    expect(checked.stdout, checked.stderr).toBe('checked types/inbox: 1 new version(s)\n');
    await waitFor(() => files.versions('outbox').length === 1, 90_000);
    expect(files.read('outbox', '1')).toBe('hello');
    const watched = await runWeir(['watch', '-j', 'types/forward'], env);
    expect(watched.stderr).toMatch(/fetching version 1 of http:\/\/127\.0\.0\.1:\d+\/stores\/inbox into \/tmp\/build\/get as build \d+ of types\/forward/);
    expect(watched.stdout).toMatch(/size: 5/);
    const pods = sim.store
      .changesSince(0)
      .filter((change) => change.resource === 'pods' && change.type === 'ADDED' && change.object.metadata.labels?.['weir.dev/engine'] === 'e2e-types')
      .map((change) => change.object.metadata.name.replace(/^weir-(\d+-)?/, '').replace(/-[0-9a-f]{8}$/, ''));
    expect(new Set(pods)).toEqual(new Set(['check-file-store', 'in-file-store', 'out-file-store']));
    await waitFor(() => sim.store.list('pods', 'ci').length === 0);
    await stopWeir(weir, 'SIGTERM');
  }, 180_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
