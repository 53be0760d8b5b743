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
import { outcomes, runJob } from '../../support/builds.js';
import { testEngine } from '../../support/engine.js';
import { mockPipeline as pipeline } from '../../support/mock-pipeline.js';
import { busyboxLayer, requireSandbox } from '../../support/sandbox-images.js';

const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('a pipeline whose tasks run as pods on the simulated cluster', () => {
  let registry: RunningRegistry;
  let sim: KubeSimulator;
  let root: string;
  let kubeconfig: string;
  let repository: string;

  beforeAll(async () => {
    registry = await startRegistry();
    root = mkdtempSync(join(tmpdir(), 'weir-kube-pipeline-'));
    repository = `${registry.host}/tools/busybox`;
    await pushWithType(freshType(), { repository, tag: 'stable', insecure: true }, await buildImage({ layers: [busyboxLayer()], env: ['PATH=/bin'], user: '' }));
    sim = await startKubeSimulator({ pullImage: await registryImagePuller(join(root, 'node-images')) });
    sim.createNamespace('ci');
    kubeconfig = join(root, 'kubeconfig');
    writeFileSync(kubeconfig, simulatorKubeconfig(sim, 'ci'));
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A task step in a busybox image from the test registry; `config` lines go into its config, `step` lines onto the step. */
  const task = (name: string, script: string, options: { config?: string[]; step?: string[] } = {}) =>
    [
      `  - task: ${name}`,
      ...(options.step ?? []).map((line) => `    ${line}`),
      '    config:',
      '      platform: linux',
      `      image_resource: {type: registry-image, source: {repository: ${repository}, tag: stable, insecure: true}}`,
      ...(options.config ?? []).map((line) => `      ${line}`),
      `      run: {path: sh, args: [-c, ${JSON.stringify(script)}]}`,
    ].join('\n');

  /** An engine given the simulated cluster; the helper image by digest, as the simulated node pulls. */
  const engine = async (kubernetes: Record<string, unknown>) => {
    const started = testEngine({ kubernetes: { kubeconfig, helperImage: await digestOf(repository, 'stable'), engineId: 'pipeline-test', unschedulableAfterMs: 0, ...kubernetes } });
    started.start();
    return started;
  };

  it('passes artifacts from the engine into a pod, from pod to pod, and from a pod to the sandbox', async () => {
    const result = await runJob(
      await engine({ tags: { cluster: {} } }),
      pipeline(
        [
          '  - get: app',
          task('build', 'cat app/hello.txt > built/made.txt; echo " and a pod" >> built/made.txt; echo building $BUILD_JOB_NAME', { config: ['inputs: [{name: app}]', 'outputs: [{name: built}]'], step: ['tags: [cluster]'] }),
          task('check-in-pod', 'cat built/made.txt; echo checked > built/checked', { config: ['inputs: [{name: built}]', 'outputs: [{name: built}]'], step: ['tags: [cluster]'] }),
          task('check-in-sandbox', 'cat built/checked', { config: ['inputs: [{name: built}]'] }),
        ].join('\n'),
      ),
    );
    expect(outcomes(result)).toEqual({ app: 'succeeded', build: 'succeeded', 'check-in-pod': 'succeeded', 'check-in-sandbox': 'succeeded' });
    expect(result.logs).toEqual(expect.arrayContaining(['3: building job', '4: hello from app and a pod', '5: checked']));
    expect(result.logs.filter((line) => line.includes('tasks run as Kubernetes pods'))).toHaveLength(2);
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 120_000);

  it('restores a snapshot into a claim and mounts it in a task that reads the restored data', async () => {
    sim.createClaim('ci', 'prod');
    writeFileSync(join(sim.kubelet.claimDirectory('ci', 'prod'), 'users.csv'), 'id,name\n1,ada\n');
    const text = pipeline(
      [
        '  - put: prod-db',
        '  - put: restore',
        '    resource: prod-db',
        '    params: {action: restore, from: prod-db, to_pvc: staging-db, wait: true}',
        task('read', 'cat db/users.csv; touch db/written || echo read-only', { step: ['claims: [{claim: ((claim)), path: db, read_only: true}]'] }),
      ].join('\n'),
      `- name: prod-db\n  type: volume-snapshot\n  source: {driver: kubernetes, namespace: ci, pvc: prod, kubeconfig: ((kubeconfig))}`,
    );
    const result = await runJob(await engine({ default: true }), text, 'job', { vars: { claim: 'staging-db', kubeconfig: simulatorKubeconfig(sim, 'ci') } });
    expect(result.build.error ?? null).toBeNull();
    expect(outcomes(result)).toMatchObject({ read: 'succeeded' });
    expect(result.logs).toEqual(expect.arrayContaining([expect.stringMatching(/: 1,ada$/), expect.stringMatching(/: read-only$/)]));
    expect(sim.store.get('persistentvolumeclaims', 'ci', 'staging-db')?.status?.phase).toBe('Bound');
  }, 120_000);

  it('fails a task whose pod outlives its timeout, and deletes the pod', async () => {
    const result = await runJob(await engine({ default: true }), pipeline(task('slow', 'echo started; sleep 60', { step: ['timeout: 8s'] })));
    expect(outcomes(result)).toEqual({ slow: 'failed' });
    expect(result.logs).toContain('3: started');
    expect(sim.store.list('pods', 'ci')).toEqual([]);
  }, 60_000);

  it('errors the build with the scheduler\'s words when no node fits the task', async () => {
    const result = await runJob(await engine({ default: true }), pipeline(task('huge', 'true', { step: ['container_limits: {memory: 64GiB}'] })));
    expect(result.build.status).toBe('errored');
    expect(result.build.error).toMatch(/^pod weir-\d+-huge-\w+ cannot be scheduled: 0\/1 nodes are available: 1 Insufficient memory/);
  }, 60_000);
});

async function digestOf(repository: string, tag: string): Promise<string> {
  const versions = await freshType().check(testContext(), { repository, tag, insecure: true });
  return `${repository}@${(versions.at(-1)!.version as { digest: string }).digest}`;
}
