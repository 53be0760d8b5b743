import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshType, pushWithType } from '../../../../resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../../../resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../../../resources/test/registry-image/support/registry.js';
import { requireTools } from '../../../../resources/test/registry-image/support/tools.js';
import { testContext } from '../../../../resources/test/support/context.js';
import { simulatorKubeconfig } from '../../../../../test/support/kube/kubeconfig.js';
import { registryImagePuller } from '../../../../../test/support/kube/registry-puller.js';
import { startKubeSimulator, type KubeSimulator } from '../../../../../test/support/kube/simulator.js';
import type { Engine } from '../../../src/index.js';
import { outcomes, runJob } from '../../support/builds.js';
import { testEngine } from '../../support/engine.js';
import { fileStoreTypeLayer, startFileStoreServer, type FileStoreServer } from '../../support/file-store-type.js';
import { busyboxLayer, requireSandbox } from '../../support/sandbox-images.js';

const available = requireTools(['docker-registry']) && requireSandbox();

// A Concourse resource type (sh scripts over busybox-static, pushed to the test registry) whose
// check, in and out run as pods on the simulated cluster, whose kubelet really runs them.
describe.skipIf(!available)('resource types from images, run as pods when tasks run on the cluster', () => {
  let registry: RunningRegistry;
  let files: FileStoreServer;
  let sim: KubeSimulator;
  let root: string;
  let kubeconfig: string;
  let helperImage: string;
  const typeRepository = (name: string) => `${registry.host}/types/${name}`;

  beforeAll(async () => {
    registry = await startRegistry();
    files = await startFileStoreServer();
    root = mkdtempSync(join(tmpdir(), 'weir-cluster-types-'));
    const type = freshType();
    const push = async (repository: string, layers: Parameters<typeof buildImage>[0]['layers']) =>
      `${repository}@${await pushWithType(type, { repository, tag: 'latest', insecure: true }, await buildImage({ layers, env: ['PATH=/bin'], user: '' }))}`;
    await push(typeRepository('file-store'), [fileStoreTypeLayer()]);
    await push(typeRepository('no-check'), [fileStoreTypeLayer(['in', 'out'])]);
    helperImage = await push(`${registry.host}/tools/busybox`, [busyboxLayer()]);
    // Scripts and nothing else: no shell to start them with.
    await push(typeRepository('no-shell'), [[{ path: 'opt', dir: true }, { path: 'opt/resource', dir: true }, { path: 'opt/resource/check', file: '#!/bin/sh\necho []\n', mode: 0o755 }]]);
    sim = await startKubeSimulator({ pullImage: await registryImagePuller(join(root, 'node-images')) });
    sim.createNamespace('ci');
    kubeconfig = join(root, 'kubeconfig');
    writeFileSync(kubeconfig, simulatorKubeconfig(sim, 'ci'));
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await files?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const clusterEngine = (): Engine => testEngine({ kubernetes: { kubeconfig, helperImage, engineId: 'types-test', unschedulableAfterMs: 0, default: true } });

  const pipeline = (options: { store: string; repository?: string; behaviour?: string; checkTimeout?: string }) => `
resource_types:
- name: file-store
  type: registry-image
  source: {repository: "${options.repository ?? typeRepository('file-store')}", tag: latest, insecure: true}
resources:
- name: values
  type: file-store
  check_timeout: ${options.checkTimeout ?? '1m'}
  source: {url: "${files.storeUrl(options.store)}"${options.behaviour ? `, behaviour: ${options.behaviour}` : ''}}
jobs:
- name: job
  plan:
  - get: values
  - put: values
    params: {file: values/value}
`;

  async function check(engine: Engine, text: string) {
    engine.setPipeline({ name: 'p', text });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    return engine.checker.checkResource(values.id);
  }

  /** Every pod the simulator was asked to create, as created. */
  function createdPods(): Array<{ metadata: { name: string; labels?: Record<string, string> }; spec: { containers: Array<{ name: string; image: string }> } }> {
    return sim.store.changesSince(0).filter((change) => change.resource === 'pods' && change.type === 'ADDED').map((change) => change.object as unknown as ReturnType<typeof createdPods>[number]);
  }

  it('checks, gets and puts through pods of the type\'s image: stdin, stdout, stderr to the log, $1 in and out', async () => {
    files.add('happy', 'first');
    const before = createdPods().length;
    const engine = clusterEngine();
    expect(await check(engine, pipeline({ store: 'happy' }))).toMatchObject({ ok: true, newVersions: 1 });
    const result = await runJob(engine, '');
    expect(result.build.error ?? null).toBeNull();
    expect(outcomes(result)).toEqual({ values: 'succeeded' });
    // The get's $1 came back from its pod: the put's pod read values/value from it.
    expect(files.versions('happy')).toEqual(['1', '2']);
    expect(files.read('happy', '2')).toBe('first');
    const log = result.logs.join('\n');
    expect(log).toMatch(/fetching version 1 of http:\/\/127\.0\.0\.1:\d+\/stores\/happy into \/tmp\/build\/get as build \d+ of p\/job/);
    expect(log).toContain('storing values/value at');
    // Only stderr reaches the log; stdout was the response.
    expect(log).not.toContain('"version"');
    const finished = result.events.filter((event) => event.type === 'step-finished').map((event) => event.data);
    expect(finished).toContainEqual(expect.objectContaining({ version: { n: '1' }, metadata: [{ name: 'size', value: '5' }, { name: 'fetched_by', value: '0' }] }));
    expect(finished).toContainEqual(expect.objectContaining({ version: { n: '2' }, metadata: [{ name: 'stored', value: 'values/value' }] }));

    const pods = createdPods().slice(before);
    // The engine's own checks (at start, after the put) run besides the build's get, put and the put's get.
    const names = pods.map((pod) => pod.metadata.name.replace(/-[0-9a-f]{8}$/, '').replace(/^weir-\d+-/, 'weir-N-'));
    expect(names.filter((name) => name !== 'weir-check-file-store')).toEqual(['weir-N-in-file-store', 'weir-N-out-file-store', 'weir-N-in-file-store']);
    expect(names).toContain('weir-check-file-store');
    expect(pods.every((pod) => pod.spec.containers.find((container) => container.name === 'task')!.image.startsWith(`${typeRepository('file-store')}@sha256:`))).toBe(true);
    expect(pods.find((pod) => pod.metadata.name.includes('-in-file-store-'))!.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'weir', 'weir.dev/engine': 'types-test', 'weir.dev/pipeline': 'p', 'weir.dev/job': 'job', 'weir.dev/build': String(result.build.id) });
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 120_000);

  it('errors a check whose script fails, quoting its stderr, and deletes the pod', async () => {
    files.add('down', 'x');
    const result = await check(clusterEngine(), pipeline({ store: 'down', behaviour: 'fail' }));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/resource type file-store: \/opt\/resource\/check exited with status 3: .*the store at http:\/\/127\.0\.0\.1:\d+\/stores\/down is down/s) });
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('errors a check whose type image is not in the registry, naming it', async () => {
    const result = await check(clusterEngine(), pipeline({ store: 'missing', repository: typeRepository('nothing-here') }));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining(`has no version: ${typeRepository('nothing-here')}:latest found nothing`) });
  }, 60_000);

  it('errors a check whose image cannot be pulled by the node, in the kubelet\'s words', async () => {
    const engine = clusterEngine();
    const digest = (await freshType().check(testContext(), { repository: typeRepository('file-store'), tag: 'latest', insecure: true })).at(-1)!.version.digest;
    sim.kubelet.unpullableImages.set(`${typeRepository('file-store')}@${digest}`, 'pull access denied, repository does not exist or may require authorization');
    try {
      files.add('unpullable', 'x');
      const result = await check(engine, pipeline({ store: 'unpullable' }));
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/cannot pull .*types\/file-store@sha256:[0-9a-f]{64}: ErrImagePull: pull access denied/) });
    } finally {
      sim.kubelet.unpullableImages.clear();
    }
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('errors a check whose image has no /opt/resource/check, saying so', async () => {
    const result = await check(clusterEngine(), pipeline({ store: 'no-check', repository: typeRepository('no-check') }));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/resource type file-store: its image \(.*types\/no-check:latest@sha256:[0-9a-f]{64}\) has no \/opt\/resource\/check/) });
  }, 60_000);

  it('errors a check whose image has no /bin/sh to start the script with, in the runtime\'s words', async () => {
    const result = await check(clusterEngine(), pipeline({ store: 'no-shell', repository: typeRepository('no-shell') }));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^pod weir-check-file-store-\w+: container task cannot start: StartError: .*\/bin\/sh/) });
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('deletes the pod of a check that outlives its check_timeout', async () => {
    files.add('hangs', 'x');
    const result = await check(clusterEngine(), pipeline({ store: 'hangs', behaviour: 'hang', checkTimeout: '5s' }));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('took longer than 5s') });
    // The check answers at its timeout; the aborted run deletes its pod right after.
    await expect.poll(() => sim.store.list('pods', 'ci').length, { timeout: 20_000, interval: 50 }).toBe(0);
    await expect.poll(() => sim.kubelet.runningPods, { timeout: 20_000, interval: 50 }).toBe(0);
  }, 60_000);

  it('errors a check whose stdout is not JSON, quoting it, and one whose stdout is too large, without reading it all', async () => {
    files.add('bad-json', 'x');
    expect(await check(clusterEngine(), pipeline({ store: 'bad-json', behaviour: 'bad-json' }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/\/opt\/resource\/check printed something that is not JSON on stdout .*this is not json/),
    });
    files.add('huge', 'x');
    expect(await check(clusterEngine(), pipeline({ store: 'huge', behaviour: 'huge' }))).toMatchObject({
      ok: false,
      error: expect.stringContaining('/opt/resource/check wrote more than 16777216 bytes to stdout'),
    });
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 120_000);
});
