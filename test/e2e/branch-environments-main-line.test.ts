import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { haveBinaries } from '../../packages/resources/test/git/support/server-binaries.js';
import { startGitHttpServer } from '../../packages/resources/test/git/support/git-servers.js';
import { startRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { appRepository } from '../support/app-repository.js';
import { simulatorKubeconfig } from '../support/kube/kubeconfig.js';
import { startKubeSimulator, type KubeSimulator } from '../support/kube/simulator.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

// The main line of examples/branch-environments as a user runs it, with the real CLI: a commit on
// main is unit-tested, built and pushed once, its digest tested, re-tagged `release` without a
// rebuild, and rolled out to a Deployment (the Kubernetes simulator); a failing test stops it.

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Build {
  name: string;
  status: string;
}

type Env = Record<string, string>;

async function weir(env: Env, ...args: string[]): Promise<string> {
  const run = await runWeir(args, env);
  expect(run.status, `weir ${args.join(' ')}:\n${run.stdout}${run.stderr}`).toBe(0);
  return run.stdout;
}

/** A job's latest build log: its tasks' output, and the resource steps' lines (on stderr). */
async function watch(env: Env, job: string): Promise<string> {
  const run = await runWeir(['watch', '-j', `branch-environments/${job}`], env);
  return run.stdout + run.stderr;
}

/** A job's builds, newest first, as `weir builds -j` lists them (read from the API: polling with a process per look would load the machine). */
async function builds(engine: WeirProcess, job: string): Promise<Build[]> {
  return (await engine.get(`/pipelines/branch-environments/jobs/${job}/builds`)) as Build[];
}

/** Waits until the job has `count` builds and none pending or running; returns them, newest first. */
async function finishedBuilds(engine: WeirProcess, job: string, count: number, timeoutMs = 180_000): Promise<Build[]> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const listed = await builds(engine, job);
    if (listed.length >= count && listed.every((build) => !['pending', 'started'].includes(build.status))) return listed;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${job} did not finish ${count} build(s) within ${timeoutMs / 1000} s: ${JSON.stringify(await builds(engine, job))}`);
}

/** Every blob the registry stores (content-addressed, shared by its repositories). */
function storedBlobs(storage: string): string[] {
  const root = join(storage, 'docker/registry/v2/blobs/sha256');
  return readdirSync(root).flatMap((prefix) => readdirSync(join(root, prefix))).sort();
}

async function tagDigest(registry: string, tag: string): Promise<string | null> {
  const answer = await fetch(`http://${registry}/v2/app/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  return answer.headers.get('docker-content-digest');
}

function deployedImage(sim: KubeSimulator): string {
  return sim.store.get('deployments', 'production', 'app')?.spec.template.spec.containers[0].image as string;
}

const tools = requireTools(['docker-registry']) && haveBinaries('git', 'git-http-backend');

describe('examples/branch-environments: the main line', () => {
  it.skipIf(!tools)('tests a commit on main, promotes the tested digest without rebuilding it and rolls it out; a failing test stops promotion', async () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-main-line-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const gitServer = await startGitHttpServer(root);
    cleanups.push(() => gitServer.close());
    const sim = await startKubeSimulator({ podReadyAfterMs: 200, progressDeadlineMs: 60_000 });
    cleanups.push(() => sim.stop());

    // What the namespace's owner made once: the Deployment the main line rolls forward.
    sim.createNamespace('production');
    const created = await fetch(`${sim.url}/apis/apps/v1/namespaces/production/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'app', namespace: 'production' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: `${registry.host}/app:first` }] } } },
      }),
    });
    expect(created.status).toBe(201);

    const repo = appRepository(root);

    const dataDir = join(root, 'data');
    const engine = await startWeirUp(['--data', dataDir]);
    cleanups.push(() => stopWeir(engine, 'SIGKILL'));
    const env = { WEIR_URL: engine.url, WEIR_DATA: dataDir };
    const kubeconfig = join(root, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, simulatorKubeconfig(sim));
    await weir(env, 'secrets', 'set', 'kubeconfig', '--file', kubeconfig);
    await weir(
      env,
      ...['set-pipeline', '-p', 'branch-environments', '-c', 'examples/branch-environments/pipeline.yml', '-n'],
      ...['-v', `repo_uri=${gitServer.url('app')}`, '-v', `registry=${registry.host}`, '-y', 'registry_insecure=true', '-v', 'webhook_token=main-line-hook', '-v', 'namespace=production'],
    );
    // Held back so the test can look at the registry between the tests and the promotion; main has no commit yet.
    await weir(env, 'pause-job', '-j', 'branch-environments/promote');
    await weir(env, 'unpause-pipeline', '-p', 'branch-environments');
    const first = repo.commit({ VERSION: '2.4.0\n', 'test.sh': 'echo "unit tests passed"\n', 'app.sh': '#!/bin/sh\necho "app $1 ok"\n', 'ci/branch.yml': readFileSync('examples/branch-environments/branch.yml', 'utf8') }, 'the app');
    await weir(env, 'check-resource', '-r', 'branch-environments/main');

    const [integration] = await finishedBuilds(engine, 'integration', 1);
    expect(integration!.status).toBe('succeeded');
    const tested = /tested (sha256:[0-9a-f]{64})/.exec(await watch(env, 'integration'))?.[1];
    expect(tested).toBeDefined();
    expect(await tagDigest(registry.host, 'main')).toBe(tested);
    expect(await tagDigest(registry.host, `2.1-${first.slice(0, 7)}`)).toBe(tested);
    const blobsBeforePromotion = storedBlobs(registry.storage);

    await weir(env, 'unpause-job', '-j', 'branch-environments/promote');
    const [deploy] = await finishedBuilds(engine, 'deploy', 1);
    expect((await builds(engine, 'promote')).map((build) => build.status)).toEqual(['succeeded']);
    expect(deploy!.status).toBe('succeeded');
    const deployLog = await watch(env, 'deploy');
    expect(deployLog).toContain(`deploying ${registry.host}/app@${tested}, the digest integration tested`);
    expect(deployLog).toContain('app rolled out');
    // Promoted, not rebuilt: `release` is the tested manifest, and the registry holds no new blob.
    expect(await tagDigest(registry.host, 'release')).toBe(tested);
    expect(storedBlobs(registry.storage)).toEqual(blobsBeforePromotion);
    expect((await builds(engine, 'build-image')).length).toBe(1);
    // The Deployment runs the tested digest, rolled out.
    expect(deployedImage(sim)).toBe(`${registry.host}/app@${tested}`);
    const live = sim.store.get('deployments', 'production', 'app')!;
    expect(live.status).toMatchObject({ observedGeneration: live.metadata.generation, updatedReplicas: 2, availableReplicas: 2 });
    const versions = JSON.parse(await weir(env, 'versions', '-r', 'branch-environments/app-deployment', '--json')) as Array<{ version: Record<string, string> }>;
    expect(JSON.stringify(versions[0]!.version)).toContain(tested);

    // A commit whose integration test fails: built and tested, never promoted nor deployed.
    repo.commit({ 'app.sh': '#!/bin/sh\necho "app $1 broken"\nexit 1\n' }, 'a regression');
    await weir(env, 'check-resource', '-r', 'branch-environments/main');
    const afterRegression = await finishedBuilds(engine, 'integration', 2);
    expect(afterRegression.map((build) => build.status)).toEqual(['failed', 'succeeded']);
    expect((await builds(engine, 'build-image')).map((build) => build.status)).toEqual(['succeeded', 'succeeded']);
    const regressed = await tagDigest(registry.host, 'main');
    expect(regressed).not.toBe(tested);
    const explained = await weir(env, 'explain', '-j', 'branch-environments/promote');
    expect(explained).toContain(`${regressed} tag:main has not passed integration`);
    expect((await builds(engine, 'promote')).length).toBe(1);
    expect((await builds(engine, 'deploy')).length).toBe(1);
    expect(await tagDigest(registry.host, 'release')).toBe(tested);
    expect(deployedImage(sim)).toBe(`${registry.host}/app@${tested}`);
  }, 420_000);
});
