import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine, startApiServer, type BuildRecord, type PipelineRecord } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { appRepository, git } from '../support/app-repository.js';
import { waitUntilQuiet } from '../support/engine-quiet.js';
import { simulatorKubeconfig } from '../support/kube/kubeconfig.js';
import { startKubeSimulator } from '../support/kube/simulator.js';

const exampleFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../examples/branch-environments/${path}`, import.meta.url)), 'utf8');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function instance(engine: Engine, branch: string): PipelineRecord | undefined {
  return engine.store.pipelines.get({ name: 'branch', instanceVars: { branch } });
}

function builds(engine: Engine, pipeline: PipelineRecord, job: string): BuildRecord[] {
  return engine.store.builds.listForJob(engine.store.jobs.get(pipeline.id, job)!.id).reverse();
}

function stdout(engine: Engine, build: BuildRecord): string[] {
  return engine.events.list(build.id, 0, 10_000).flatMap((e) => (e.type === 'log' && e.data.stream === 'stdout' ? [e.data.line] : []));
}

/** Checks the resources of every active instance (the engine would within seconds of setting them) until nothing runs. */
async function settleInstances(engine: Engine, watcherId: number): Promise<void> {
  await waitUntilQuiet(engine);
  for (const pipeline of engine.store.pipelines.list()) {
    if (pipeline.id === watcherId || pipeline.archived || pipeline.retiring !== null) continue;
    for (const resource of engine.store.resources.list(pipeline.id)) await engine.checker.checkResource(resource.id);
  }
  await waitUntilQuiet(engine);
}

const tools = requireTools(['docker-registry', 'skopeo']);

describe('examples/branch-environments against real git and a real registry', () => {
  it.skipIf(!tools)('gives a new feature/* branch its pipeline (unit, image, integration, merge into main) and archives it when the branch is deleted', async () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-branch-envs-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const repo = appRepository(root);
    // The main line's deploy target; its jobs are paused here (branch-environments-main-line.test.ts runs them).
    const sim = await startKubeSimulator();
    cleanups.push(() => sim.stop());
    repo.commit(
      {
        VERSION: '2.4.0\n',
        'test.sh': 'echo "unit tests passed"\n',
        'app.sh': '#!/bin/sh\necho "app $1 ok"\n',
        'ci/branch.yml': exampleFile('branch.yml'),
      },
      'the app, with a pipeline per feature branch',
    );

    const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
    const api = await startApiServer({ engine, token: 'api-token', port: 0 });
    cleanups.push(async () => {
      await api.close();
      await engine.stop();
    });
    const webhookToken = 'branch-hook-secret';
    engine.setPipeline({
      name: 'branch-environments',
      text: exampleFile('pipeline.yml'),
      vars: { repo_uri: repo.uri, registry: registry.host, registry_insecure: true, webhook_token: webhookToken, kubeconfig: simulatorKubeconfig(sim), namespace: 'production' },
    });
    const watcherId = engine.store.pipelines.get({ name: 'branch-environments' })!.id;
    for (const job of ['unit', 'build-image', 'integration', 'promote', 'deploy']) engine.store.jobs.setPaused(engine.store.jobs.get(watcherId, job)!.id, true);
    engine.start();
    // The engine checks `ci` within seconds of starting; the test does not wait for that.
    await engine.checker.checkResource(engine.store.resources.get(watcherId, 'ci')!.id);
    // What the git server's push hook does, for pushes and branch deletions alike.
    const pushHook = async () => {
      const answer = await fetch(`${api.url}/api/v1/pipelines/branch-environments/resources/feature-branches/check/webhook?webhook_token=${webhookToken}`, { method: 'POST', body: '{}' });
      expect(answer.status).toBe(200);
      await settleInstances(engine, watcherId);
    };
    await pushHook();
    expect(engine.store.pipelines.list({ includeArchived: true }).filter((p) => p.name === 'branch')).toEqual([]);

    // A new feature branch, and one that does not match: only the first gets a pipeline, which
    // tests it, builds and tags its image, tests the image and merges the branch into main.
    git(repo.work, 'checkout', '-q', '-b', 'feature/login');
    const login = repo.commit({ 'login.txt': 'login\n' }, 'login page');
    git(repo.work, 'checkout', '-q', '-b', 'fix/typo', 'main');
    repo.commit({ 'typo.txt': 'typo\n' }, 'typo');
    await pushHook();
    const loginPipeline = instance(engine, 'feature/login');
    expect(loginPipeline).toMatchObject({ archived: false, paused: false });
    expect(instance(engine, 'fix/typo')).toBeUndefined();
    for (const job of ['unit', 'build-image', 'integration', 'merge']) expect(builds(engine, loginPipeline!, job).map((b) => [job, b.status])).toEqual([[job, 'succeeded']]);
    const tag = `2.${builds(engine, loginPipeline!, 'build-image')[0]!.name}-${login.slice(0, 7)}`;
    expect(stdout(engine, builds(engine, loginPipeline!, 'build-image')[0]!)).toContain(`built image of feature/login as ${tag}`);
    const tags = (await (await fetch(`http://${registry.host}/v2/app-branches/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual([tag, expect.stringMatching(/^feature-login-[0-9a-f]{8}$/)].sort());
    expect(stdout(engine, builds(engine, loginPipeline!, 'integration')[0]!)).toEqual(['app integration ok', expect.stringMatching(/^tested sha256:[0-9a-f]{64}$/)]);
    expect(git(repo.bare, 'rev-parse', 'refs/heads/main')).toBe(login);

    // A branch named to break out of a script gets its pipeline too, and its name stays data.
    const hostile = 'feature/$(touch${IFS}pwned);id';
    git(repo.work, 'checkout', '-q', '-b', hostile, 'main');
    const hostileHead = repo.commit({ 'hostile.txt': 'x\n' }, 'hostile');
    await pushHook();
    const hostilePipeline = instance(engine, hostile);
    expect(builds(engine, hostilePipeline!, 'merge').map((b) => b.status)).toEqual(['succeeded']);
    // It started from an older main, so the merge job merged main in before pushing.
    expect(git(repo.bare, 'rev-list', '--parents', '-n', '1', 'refs/heads/main').split(' ').slice(1).sort()).toEqual([hostileHead, login].sort());
    for (const dir of [root, repo.work, process.cwd()]) expect(existsSync(join(dir, 'pwned'))).toBe(false);

    // Deleting the branch lets the watcher's next build leave its instance out: weir archives it.
    git(repo.work, 'push', '-q', 'origin', '--delete', 'feature/login');
    await pushHook();
    expect(instance(engine, 'feature/login')).toMatchObject({ archived: true });
    expect(instance(engine, 'feature/login')!.retiring).toMatch(/^branch\/branch:feature\/login: build \d+ of branch-environments\/branches succeeded without setting it$/);
    expect(instance(engine, hostile)).toMatchObject({ archived: false });
  }, 300_000);
});
