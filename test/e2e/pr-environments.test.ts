import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine, type BuildRecord, type PipelineRecord } from '@weir/engine';
import { implementedResourceTypes, volumeSnapshotResourceType } from '@weir/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { testContext } from '../../packages/resources/test/support/context.js';
import { waitUntilQuiet } from '../support/engine-quiet.js';
import { GitHubSimulator } from '../support/github/index.js';

const exampleFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../examples/pr-environments/${path}`, import.meta.url)), 'utf8');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port base whose next few ports are free now: each PR's app listens on base + N. */
async function freePortBase(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let n = 1; n <= count && ok; n++) ok = await free(base + n);
    if (ok) return base;
  }
  throw new Error('no free ports found');
}

/** What the PR's app answers, or undefined when nothing listens. */
async function app(port: number): Promise<{ commit: string; visits: number; data: string } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    return (await response.json()) as { commit: string; visits: number; data: string };
  } catch {
    return undefined;
  }
}

function instances(engine: Engine): PipelineRecord[] {
  return engine.store.pipelines.list({ includeArchived: true }).filter((p) => p.name === 'pr-env');
}

function instance(engine: Engine, pr: number): PipelineRecord | undefined {
  return engine.store.pipelines.get({ name: 'pr-env', instanceVars: { pr: String(pr) } });
}

function builds(engine: Engine, pipeline: PipelineRecord, job: string): BuildRecord[] {
  return engine.store.builds.listForJob(engine.store.jobs.get(pipeline.id, job)!.id).reverse();
}

/**
 * Checks the watcher's resources now (as a webhook would have it) and waits until no build is
 * pending or running for a moment; then does the same for the instances' resources, which the
 * engine would first check within a few seconds of their being set.
 */
async function settle(engine: Engine): Promise<void> {
  const watcher = engine.store.pipelines.get({ name: 'pr-environments' })!;
  for (const name of ['pull-requests', 'ci', 'hourly']) await engine.checker.checkResource(engine.store.resources.get(watcher.id, name)!.id);
  await waitUntilQuiet(engine);
  for (const pipeline of engine.store.pipelines.list()) {
    if (pipeline.id === watcher.id || pipeline.archived || pipeline.retiring !== null) continue;
    for (const resource of engine.store.resources.list(pipeline.id)) await engine.checker.checkResource(resource.id);
  }
  await waitUntilQuiet(engine);
}

describe('examples/pr-environments against the GitHub simulator', () => {
  it('gives each open PR its environment, redeploys on push, tears it down on merge or close, and brings a reopened PR back', async () => {
    const github = await GitHubSimulator.start();
    cleanups.push(() => github.stop());
    // The user's repository: the app and its per-PR pipeline on main, next to the code.
    await github.commitToBase({ files: { 'app/server.mjs': exampleFile('app/server.mjs'), 'ci/pr-env.yml': exampleFile('pr-env.yml') }, message: 'app with PR environments' });
    const envRoot = mkdtempSync(join(tmpdir(), 'weir-pr-envs-'));
    cleanups.push(() => rmSync(envRoot, { recursive: true, force: true }));
    const portBase = await freePortBase(2);
    // Production's data, and a snapshot of it as the periodic-snapshots pipeline takes them: the
    // app there has counted 41 visits.
    const production = { driver: 'local' as const, path: join(envRoot, 'production', 'data'), store: join(envRoot, 'production', 'snapshots'), name_prefix: 'db-' };
    mkdirSync(production.path, { recursive: true });
    writeFileSync(join(production.path, 'visits'), '41');
    await volumeSnapshotResourceType.put(testContext(), production, {}, envRoot);
    writeFileSync(join(production.path, 'visits'), '1000');
    const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
    cleanups.push(async () => {
      // Whatever the test left running goes, as a teardown would have done.
      for (const p of instances(engine)) if (!p.archived) engine.archivePipeline(p.id);
      await settle(engine).catch(() => undefined);
      await engine.stop();
    });
    engine.setPipeline({
      name: 'pr-environments',
      text: exampleFile('pipeline.yml'),
      vars: {
        repository: github.repository,
        repository_uri: github.repo.cloneUrl,
        github_token: github.token,
        github_api: github.apiUrl,
        env_root: envRoot,
        port_base: portBase,
        production_data: production.path,
        snapshot_store: production.store,
        snapshot_prefix: production.name_prefix,
      },
    });
    engine.start();

    // Two PRs open: each gets an instance that deploys its head and reports on it, with its data
    // seeded from the production snapshot (not from production as it is now).
    const one = await github.openPullRequest({ head: 'feature-one', commit: { files: { 'one.txt': 'one\n' }, message: 'feature one' } });
    const two = await github.openPullRequest({ head: 'feature-two', commit: { files: { 'two.txt': 'two\n' }, message: 'feature two' } });
    const head1 = await github.git.revParse(`refs/pull/${one}/head`, 'bare');
    const head2 = await github.git.revParse(`refs/pull/${two}/head`, 'bare');
    await settle(engine);
    expect(instances(engine).map((p) => [p.instanceVars, p.archived])).toEqual([
      [{ pr: '1' }, false],
      [{ pr: '2' }, false],
    ]);
    expect(await app(portBase + 1)).toMatchObject({ commit: head1, visits: 42, data: join(envRoot, 'pr-1', 'data') });
    expect(await app(portBase + 2)).toMatchObject({ commit: head2, visits: 42 });
    for (const head of [head1, head2]) {
      expect(github.statusesOf(head).map((s) => [s.context, s.state])).toEqual([
        ['weir/environment', 'pending'],
        ['weir/environment', 'success'],
      ]);
    }
    const deployOne = builds(engine, instance(engine, 1)!, 'deploy');
    expect(deployOne.map((b) => b.status)).toEqual(['succeeded']);
    expect(github.statusesOf(head1)[1]!.targetUrl).toContain(`/builds/${deployOne[0]!.id}`);

    // A push to PR 1 redeploys it at the new commit; its data stays (not seeded again); PR 2 is untouched.
    const pushed = await github.push(one, { files: { 'one.txt': 'one, revised\n' }, message: 'revise one' });
    await settle(engine);
    expect(await app(portBase + 1)).toMatchObject({ commit: pushed, visits: 43 });
    expect(github.statusesOf(pushed).map((s) => s.state)).toEqual(['pending', 'success']);
    expect(builds(engine, instance(engine, 1)!, 'deploy').map((b) => b.status)).toEqual(['succeeded', 'succeeded']);
    expect(builds(engine, instance(engine, 2)!, 'deploy')).toHaveLength(1);

    // Merging PR 1 tears its environment down and archives its instance.
    await github.merge(one);
    await settle(engine);
    expect(instance(engine, 1)).toMatchObject({ archived: true });
    expect(instance(engine, 1)!.retiring).toMatch(/^pr-env\/pr:1: build \d+ of pr-environments\/environments succeeded without setting it$/);
    expect(builds(engine, instance(engine, 1)!, 'teardown').map((b) => b.status)).toEqual(['succeeded']);
    expect(existsSync(join(envRoot, 'pr-1'))).toBe(false);
    expect(await app(portBase + 1)).toBeUndefined();
    expect(await app(portBase + 2)).toMatchObject({ commit: head2 });

    // Closing PR 2 does the same.
    github.close(two);
    await settle(engine);
    expect(instances(engine).map((p) => p.archived)).toEqual([true, true]);
    expect(existsSync(join(envRoot, 'pr-2'))).toBe(false);
    expect(await app(portBase + 2)).toBeUndefined();

    // Reopened, PR 2 comes back: its instance is set again and deploys the same head afresh.
    github.reopen(two);
    await settle(engine);
    expect(instance(engine, 2)).toMatchObject({ archived: false, paused: false, retiring: null });
    expect(instance(engine, 1)).toMatchObject({ archived: true });
    expect(await app(portBase + 2)).toMatchObject({ commit: head2, visits: 42 });
    expect(builds(engine, instance(engine, 2)!, 'deploy').map((b) => b.status)).toEqual(['succeeded', 'succeeded']);
    expect(builds(engine, instance(engine, 2)!, 'teardown').map((b) => b.status)).toEqual(['succeeded']);
    expect(github.statusesOf(head2).map((s) => s.state)).toEqual(['pending', 'success', 'pending', 'success']);
  }, 240_000);
});
