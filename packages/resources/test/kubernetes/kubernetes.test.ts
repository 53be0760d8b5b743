import { KubeConfig } from '@kubernetes/client-node';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSimulator, type KubeSimulator } from '../../../../test/support/kube/simulator.js';
import { kubernetesResourceType as type, type KubernetesSource } from '../../src/kubernetes/index.js';
import { testContext } from '../support/context.js';

const BUILD = { buildId: 7, buildName: '7', jobName: 'deploy', pipelineName: 'shop', teamName: 'main', url: 'http://weir/builds/7' };
const DIGEST = `sha256:${'a'.repeat(64)}`;

let sim: KubeSimulator;
let workdir: string;

beforeEach(async () => {
  sim = await startKubeSimulator({ podReadyAfterMs: 30, progressDeadlineMs: 300 });
  sim.createNamespace('shop');
  workdir = await mkdtemp(join(tmpdir(), 'weir-kubernetes-'));
  await mkdir(join(workdir, 'repo', 'deploy'), { recursive: true });
});

afterEach(async () => {
  await sim.stop();
  await rm(workdir, { recursive: true, force: true });
});

function kubeconfig(): string {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'sim', server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'weir', token: sim.token }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'weir' }],
    currentContext: 'sim',
  });
  return config.exportConfig();
}

const source = (extra: Partial<KubernetesSource> = {}): KubernetesSource => ({ kubeconfig: kubeconfig(), namespace: 'shop', workload: 'deployment/web', labels: { app: 'shop' }, ...extra });
const ctx = () => testContext({ build: BUILD });

function deployment(image: string, env: Array<{ name: string; value: string }> = [{ name: 'MODE', value: 'prod' }]): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          env: ${JSON.stringify(env)}
`;
}

const SERVICE = `---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  greeting: hello
`;

async function manifests(text: string): Promise<void> {
  await writeFile(join(workdir, 'repo', 'deploy', 'app.yaml'), text);
}

describe('kubernetes', () => {
  it('applies manifests with server-side apply as field manager weir, waits for the rollout, and check reports the workload', async () => {
    await manifests(deployment('registry.test/web:1') + SERVICE);
    const context = ctx();
    const put = await type.put(context, source(), { manifests: 'repo/deploy' }, workdir);
    expect(put.version).toEqual({ images: 'web=registry.test/web:1', generation: '1' });
    expect(context.lines).toEqual(expect.arrayContaining(['applied Deployment shop/web (repo/deploy/app.yaml)', 'applied Service shop/web (repo/deploy/app.yaml)', 'web rolled out']));
    expect(sim.requests.filter((request) => request.startsWith('PATCH') && request.includes('fieldManager=weir') && request.includes('force=true'))).toHaveLength(3);

    const live = sim.store.get('deployments', 'shop', 'web');
    expect(live?.metadata.labels).toEqual({ app: 'shop', 'app.kubernetes.io/managed-by': 'weir' });
    expect(live?.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'weir', operation: 'Apply' })]);
    expect(live?.status).toMatchObject({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 });
    expect(sim.store.list('pods', 'shop').filter((pod) => pod.status?.phase === 'Running')).toHaveLength(2);

    expect((await type.check(ctx(), source())).map((v) => v.version)).toEqual([put.version]);
  });

  it('removes a field the manifest no longer sets, as server-side apply does, and bumps the generation', async () => {
    await manifests(deployment('registry.test/web:1', [{ name: 'MODE', value: 'prod' }, { name: 'DEBUG', value: '1' }]));
    await type.put(ctx(), source(), { manifests: 'repo/deploy/app.yaml' }, workdir);
    await manifests(deployment('registry.test/web:1', [{ name: 'MODE', value: 'prod' }]));
    const put = await type.put(ctx(), source(), { manifests: 'repo/deploy/app.yaml' }, workdir);
    expect(put.version).toMatchObject({ generation: '2' });
    expect(sim.store.get('deployments', 'shop', 'web')?.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'prod' }]);
  });

  it('sets the workload\'s image to the digest a registry-image get fetched', async () => {
    await manifests(deployment('registry.test/web:1'));
    await type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir);
    await mkdir(join(workdir, 'image'));
    await writeFile(join(workdir, 'image', 'repository'), 'registry.test/web');
    await writeFile(join(workdir, 'image', 'digest'), DIGEST);
    const put = await type.put(ctx(), source(), { set_image: { from: 'image' } }, workdir);
    expect(put.version).toEqual({ images: `web=registry.test/web@${DIGEST}`, generation: '2' });
    expect(sim.requests).toContainEqual(expect.stringMatching(/^PATCH \/apis\/apps\/v1\/namespaces\/shop\/deployments\/web\?fieldManager=weir/));
    expect(sim.store.list('pods', 'shop').map((pod) => pod.spec.containers[0].image)).toEqual([`registry.test/web@${DIGEST}`, `registry.test/web@${DIGEST}`]);
  });

  it('fails a rollout that cannot progress with the workload\'s conditions and its pods\' events', async () => {
    await manifests(deployment('registry.test/web:1'));
    await type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir);
    sim.deployments.unpullableImages.set('registry.test/web:broken', 'manifest unknown');
    const error = await type.put(ctx(), source(), { set_image: { image: 'registry.test/web:broken' } }, workdir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'kubernetes-rollout-failed' });
    const message = (error as Error).message;
    expect(message).toContain('ProgressDeadlineExceeded');
    expect(message).toContain('Failed to pull image "registry.test/web:broken": manifest unknown');
    expect(message).toContain('ErrImagePull');
    expect(sim.store.get('deployments', 'shop', 'web')?.spec.template.spec.containers[0].image).toBe('registry.test/web:broken');
  });

  it('rolls back to what was live before when asked, then fails the step', async () => {
    await manifests(deployment('registry.test/web:1'));
    await type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir);
    sim.deployments.unpullableImages.set('registry.test/web:broken', 'manifest unknown');
    const context = ctx();
    const error = await type.put(context, source(), { set_image: { image: 'registry.test/web:broken' }, rollback_on_failure: true }, workdir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'kubernetes-rollout-failed', message: expect.stringContaining('rolled back: web is back as it was') });
    const live = sim.store.get('deployments', 'shop', 'web');
    expect(live?.spec.template.spec.containers[0].image).toBe('registry.test/web:1');
    expect(live?.metadata.generation).toBe(3);
    expect(live?.status).toMatchObject({ observedGeneration: 3, availableReplicas: 2 });
    expect((await type.check(ctx(), source())).map((v) => v.version)).toEqual([{ images: 'web=registry.test/web:1', generation: '3' }]);
  });

  it('deletes a Deployment that a failed put created, when rolling back', async () => {
    sim.deployments.unpullableImages.set('registry.test/web:broken', 'not found');
    await manifests(deployment('registry.test/web:broken'));
    await expect(type.put(ctx(), source(), { manifests: 'repo/deploy', rollback_on_failure: true }, workdir)).rejects.toMatchObject({ code: 'kubernetes-rollout-failed', message: expect.stringContaining('new in this put, was deleted') });
    expect(sim.store.get('deployments', 'shop', 'web')).toBeUndefined();
  });

  it('check reports nothing new while a rollout is under way', async () => {
    await manifests(deployment('registry.test/web:1'));
    const first = await type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir);
    // The new pods can never become ready, so the rollout stays under way whatever the timing.
    sim.deployments.unpullableImages.set('registry.test/web:2', 'not found');
    await manifests(deployment('registry.test/web:2'));
    await type.put(ctx(), source(), { manifests: 'repo/deploy', wait: false }, workdir);
    expect((await type.check(ctx(), source(), first.version as never)).map((v) => v.version)).toEqual([first.version]);
  });

  it('get writes the live Deployment as YAML', async () => {
    await manifests(deployment('registry.test/web:1'));
    const put = await type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir);
    const dir = join(workdir, 'got');
    await mkdir(dir);
    await type.get(ctx(), source(), put.version, {}, dir);
    const yaml = await readFile(join(dir, 'workload.yaml'), 'utf8');
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).toContain('image: registry.test/web:1');
    expect(yaml).not.toContain('managedFields');
  });

  it('deletes what carries the source\'s labels, and nothing else', async () => {
    await manifests(deployment('registry.test/web:1') + SERVICE);
    await type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir);
    sim.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'someone-elses', namespace: 'shop', labels: { app: 'shop' } } }, new Date());
    const context = ctx();
    const put = await type.put(context, source(), { action: 'delete' }, workdir);
    expect(put.metadata).toEqual([{ name: 'deleted', value: '3' }]);
    expect(sim.store.list('deployments', 'shop')).toEqual([]);
    expect(sim.store.list('services', 'shop')).toEqual([]);
    expect(sim.store.list('configmaps', 'shop').map((c) => c.metadata.name)).toEqual(['someone-elses']);
  });

  it('refuses manifests outside the build\'s artifacts, also through a symlink', async () => {
    await expect(type.put(ctx(), source(), { manifests: '../etc' }, workdir)).rejects.toMatchObject({ code: 'kubernetes-path-outside' });
    await symlink('/etc', join(workdir, 'repo', 'escape'));
    await expect(type.put(ctx(), source(), { manifests: 'repo/escape/hostname' }, workdir)).rejects.toMatchObject({ code: 'kubernetes-path-outside' });
  });

  it('refuses a manifest for another namespace', async () => {
    await manifests(SERVICE.replace('name: web\n', 'name: web\n  namespace: prod\n'));
    await expect(type.put(ctx(), source(), { manifests: 'repo/deploy' }, workdir)).rejects.toMatchObject({ code: 'kubernetes-namespace-mismatch' });
  });
});
