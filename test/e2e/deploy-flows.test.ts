import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulatorKubeconfig } from '../support/kube/kubeconfig.js';
import { startKubeSimulator, type KubeSimulator } from '../support/kube/simulator.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

// The deploy-and-operate flows of DESIGN.md as a user runs them: weir up, set-pipeline,
// trigger-job -w, builds, versions; the cluster is the Kubernetes simulator.

const running: WeirProcess[] = [];
let root: string;
let sim: KubeSimulator | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'weir-flows-'));
});

afterEach(async () => {
  for (const engine of running.splice(0)) await stopWeir(engine, 'SIGKILL');
  await sim?.stop();
  sim = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function up(dataDir: string): Promise<{ engine: WeirProcess; env: Record<string, string> }> {
  const engine = await startWeirUp(['--data', dataDir]);
  running.push(engine);
  return { engine, env: { WEIR_URL: engine.url, WEIR_DATA: dataDir } };
}

async function setPipeline(env: Record<string, string>, name: string, text: string, vars: string[] = []): Promise<void> {
  const file = join(root, `${name}.yml`);
  writeFileSync(file, text);
  const set = await runWeir(['set-pipeline', '-p', name, '-c', file, '-n', ...vars.flatMap((v) => ['-v', v])], env);
  expect(set.status, set.stderr).toBe(0);
}

interface Build {
  name: string;
  status: string;
  created_at: number;
}

async function builds(env: Record<string, string>, job: string): Promise<Build[]> {
  const listed = await runWeir(['builds', '-j', job, '--json'], env);
  expect(listed.status, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Build[];
}

async function waitForBuild(env: Record<string, string>, job: string, timeoutMs: number): Promise<Build> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const finished = (await builds(env, job)).find((build) => !['pending', 'started'].includes(build.status));
    if (finished) return finished;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${job} did not run within ${timeoutMs} ms`);
}

const DELAYED_CLEANUP = `
resources:
- name: cleanup-timer
  type: delay
  source: {name: demo-cleanup}
jobs:
- name: demo
  plan:
  - task: create
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo demo environment created']}
  - put: cleanup-timer
    params: {after: 10s}
- name: cleanup
  plan:
  - get: cleanup-timer
    trigger: true
  - task: destroy
    config:
      platform: linux
      inputs: [{name: cleanup-timer}]
      run: {path: sh, args: [-c, 'echo "destroying what the demo made (due $(cat cleanup-timer/due))"']}
`;

describe('delayed jobs', () => {
  it('runs the cleanup job once the delay a put asked for has passed, also across a restart of weir', async () => {
    const dataDir = join(root, 'data');
    let { engine, env } = await up(dataDir);
    await setPipeline(env, 'demo', DELAYED_CLEANUP);
    const demo = await runWeir(['trigger-job', '-j', 'demo/demo', '-w'], env);
    expect(demo.status, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stderr).toMatch(/scheduled a version due at \S+ \(in 10s\)/);
    expect(demo.stderr).toMatch(/nothing to get yet/);

    const due = Date.parse(/due at (\S+) /.exec(demo.stderr)![1]!);
    // weir stops and starts again (before the delay is over, unless the machine is very slow): the scheduled version is kept.
    expect(await stopWeir(engine, 'SIGTERM')).toBe(0);
    ({ engine, env } = await up(dataDir));

    const cleanup = await waitForBuild(env, 'demo/cleanup', 120_000);
    expect(cleanup.status).toBe('succeeded');
    expect(cleanup.created_at).toBeGreaterThanOrEqual(due);
    const watched = await runWeir(['watch', '-j', 'demo/cleanup'], env);
    expect(watched.stdout).toMatch(/destroying what the demo made \(due \d{4}-/);
    const versions = await runWeir(['versions', '-r', 'demo/cleanup-timer', '--json'], env);
    expect(JSON.parse(versions.stdout)).toHaveLength(1);
  }, 240_000);
});

// The manifests come from a task here; in a real pipeline they come from the app's repository.
const ROLLING_DEPLOY = `
resources:
- name: web
  type: kubernetes
  source:
    kubeconfig: ((kubeconfig))
    namespace: shop
    workload: deployment/web
    labels: {app: shop}
jobs:
- name: deploy
  plan:
  - task: render
    config:
      platform: linux
      outputs: [{name: deploy}]
      params: {IMAGE: ((image))}
      run:
        path: sh
        args:
        - -c
        - |
          cat > deploy/web.yaml <<EOF
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web}
          spec:
            replicas: 2
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: web, image: $IMAGE}]}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: web}
          spec: {selector: {app: web}, ports: [{port: 80}]}
          EOF
  - put: web
    params: {manifests: deploy, timeout: 20s, rollback_on_failure: true}
- name: smoke-test
  plan:
  - get: web
    trigger: true
    passed: [deploy]
  - task: check
    config:
      platform: linux
      inputs: [{name: web}]
      run: {path: sh, args: [-c, 'grep "image:" web/workload.yaml']}
- name: teardown
  plan:
  - put: web
    params: {action: delete}
    no_get: true
`;

describe('deploys with rolling updates', () => {
  it('applies, waits for the rollout, triggers the tests with the live workload, rolls back a broken image, and tears down', async () => {
    sim = await startKubeSimulator({ podReadyAfterMs: 100, progressDeadlineMs: 1_500 });
    sim.createNamespace('shop');
    const { env } = await up(join(root, 'data'));
    const vars = [`kubeconfig=${simulatorKubeconfig(sim)}`];

    await setPipeline(env, 'shop', ROLLING_DEPLOY.replace('((image))', 'registry.test/web@sha256:1111'), vars);
    const deploy = await runWeir(['trigger-job', '-j', 'shop/deploy', '-w'], env);
    expect(deploy.status, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout + deploy.stderr).toContain('applied Deployment shop/web (deploy/web.yaml)');
    expect(deploy.stdout + deploy.stderr).toContain('web rolled out');
    expect(deploy.stdout + deploy.stderr).not.toContain(sim.token);

    const smoke = await waitForBuild(env, 'shop/smoke-test', 120_000);
    expect(smoke.status).toBe('succeeded');
    expect((await runWeir(['watch', '-j', 'shop/smoke-test'], env)).stdout).toContain('image: registry.test/web@sha256:1111');

    sim.deployments.unpullableImages.set('registry.test/web@sha256:2222', 'manifest unknown: manifest unknown');
    await setPipeline(env, 'shop', ROLLING_DEPLOY.replace('((image))', 'registry.test/web@sha256:2222'), vars);
    const broken = await runWeir(['trigger-job', '-j', 'shop/deploy', '-w'], env);
    expect(broken.status).toBe(2);
    expect(broken.stdout + broken.stderr).toContain('ProgressDeadlineExceeded');
    expect(broken.stdout + broken.stderr).toContain('Failed to pull image "registry.test/web@sha256:2222": manifest unknown');
    expect(broken.stdout + broken.stderr).toContain('rolled back: web is back as it was');
    expect(sim.store.get('deployments', 'shop', 'web')?.spec.template.spec.containers[0].image).toBe('registry.test/web@sha256:1111');

    const teardown = await runWeir(['trigger-job', '-j', 'shop/teardown', '-w'], env);
    expect(teardown.status, teardown.stdout).toBe(0);
    expect(teardown.stdout + teardown.stderr).toContain('deleted 2 object(s) labelled app=shop,app.kubernetes.io/managed-by=weir');
    expect(sim.store.list('deployments', 'shop')).toEqual([]);
    expect(sim.store.list('services', 'shop')).toEqual([]);
  }, 240_000);
});
