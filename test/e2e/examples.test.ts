import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine, type BuildRecord } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSimulator } from '../support/kube/simulator.js';

const example = (name: string) => readFileSync(fileURLToPath(new URL(`../../examples/${name}/pipeline.yml`, import.meta.url)), 'utf8');

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** Starts an engine with the example set, as `weir up --pipelines examples` does. */
function startExample(name: string, options: { text?: string; now?: () => number } = {}): Engine {
  const engine = Engine.open({
    dataDir: ':memory:',
    resourceTypes: implementedResourceTypes(),
    logger: createLogger({ level: 'silent' }),
    ...(options.now && { now: options.now }),
  });
  engines.push(engine);
  engine.setPipeline({ name, text: options.text ?? example(name) });
  engine.start();
  return engine;
}

/** Waits, with no trigger from us, until the job has a finished build. */
async function firstFinishedBuild(engine: Engine, pipeline: string, job: string): Promise<BuildRecord> {
  const pipelineId = engine.store.pipelines.get({ name: pipeline })!.id;
  const jobId = engine.store.jobs.get(pipelineId, job)!.id;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const finished = engine.store.builds.jobSummary(jobId).finishedBuild;
    if (finished) return finished;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${pipeline}/${job} did not run on its own within 30 s`);
}

function logLines(engine: Engine, buildId: number): string[] {
  return engine.events.list(buildId, 0, 10_000).flatMap((e) => (e.type === 'log' && e.data.stream === 'stdout' ? [e.data.line] : []));
}

describe('examples run on their own', () => {
  it('hello-world: the first version triggers the job', async () => {
    const engine = startExample('hello-world');
    const build = await firstFinishedBuild(engine, 'hello-world', 'hello');
    expect(build.status).toBe('succeeded');
    expect(logLines(engine, build.id)).toEqual(['hello from weir, version 1']);
  });

  it('build-and-release: build, parallel tests and release, then deploy through passed', async () => {
    const engine = startExample('build-and-release');
    const build = await firstFinishedBuild(engine, 'build-and-release', 'build');
    expect(build.status).toBe('succeeded');
    expect(logLines(engine, build.id)).toEqual(expect.arrayContaining(['built version 1.0.0', 'unit tests passed', 'lint passed', 'build 1 of build-and-release/build finished']));
    const deploy = await firstFinishedBuild(engine, 'build-and-release', 'deploy');
    expect(deploy.status).toBe('succeeded');
    expect(logLines(engine, deploy.id)).toEqual(['deploying release 1.0.0-build.1']);
  });

  it('maintenance-mode: runs only when started, with the values a person gives', async () => {
    const engine = startExample('maintenance-mode');
    const pipelineId = engine.store.pipelines.get({ name: 'maintenance-mode' })!.id;
    const jobId = engine.store.jobs.get(pipelineId, 'maintenance')!.id;
    const on = engine.triggerJob(jobId, { mode: 'on', message: 'Back at 5 pm' });
    const build = await firstFinishedBuild(engine, 'maintenance-mode', 'maintenance');
    expect(build).toMatchObject({ id: on.id, status: 'succeeded', triggerVars: { mode: 'on', message: 'Back at 5 pm' } });
    expect(logLines(engine, build.id)).toEqual(['maintenance page on: Back at 5 pm']);
  });

  it('every-minute: the cron slot that just passed runs the job', async () => {
    const engine = startExample('every-minute');
    const build = await firstFinishedBuild(engine, 'every-minute', 'tick');
    expect(build.status).toBe('succeeded');
    expect(logLines(engine, build.id)).toEqual([expect.stringMatching(/^slot \d{4}-\d\d-\d\dT\d\d:\d\d:00(\.000)?Z, build 1$/)]);
  });

  it('periodic-snapshots: an hourly slot writes data and snapshots it into the store', async () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-periodic-'));
    try {
      // Half a minute after an hourly slot, so the first check finds that slot.
      const slot = Date.parse('2026-03-01T10:00:00Z');
      const started = Date.now();
      const engine = startExample('periodic-snapshots', {
        text: example('periodic-snapshots').replaceAll('/tmp/weir-examples/periodic-snapshots', root),
        now: () => slot + 30_000 + (Date.now() - started),
      });
      const build = await firstFinishedBuild(engine, 'periodic-snapshots', 'snapshot');
      expect(build.status).toBe('succeeded');
      const snapshots = readdirSync(join(root, 'snapshots')).filter((entry) => entry.endsWith('.json'));
      expect(snapshots).toHaveLength(1);
      const name = snapshots[0]!.replace(/\.json$/, '');
      expect(name).toMatch(/^db-snapshot-1-20260301-1000/);
      expect(readFileSync(join(root, 'snapshots', name, 'table.csv'), 'utf8')).toBe('row written at slot 2026-03-01T10:00:00.000Z\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('periodic-snapshots on a cluster: the hourly slot creates a ready VolumeSnapshot of the claim', async () => {
    const sim = await startKubeSimulator();
    try {
      sim.createNamespace('shop');
      sim.createClaim('shop', 'db', { size: '1Gi' });
      // What a user pastes in: a kubeconfig with an inline token.
      const kubeconfig = [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: sim, cluster: {server: "${sim.url}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: weir, user: {token: "${sim.token}"}}]`,
        'contexts: [{name: sim, context: {cluster: sim, user: weir}}]',
        'current-context: sim',
      ].join('\n');
      const slot = Date.parse('2026-03-01T10:00:00Z');
      const started = Date.now();
      const engine = Engine.open({
        dataDir: ':memory:',
        resourceTypes: implementedResourceTypes(),
        logger: createLogger({ level: 'silent' }),
        now: () => slot + 30_000 + (Date.now() - started),
      });
      engines.push(engine);
      const text = readFileSync(fileURLToPath(new URL('../../examples/periodic-snapshots/pipeline.kubernetes.yml', import.meta.url)), 'utf8');
      engine.setPipeline({ name: 'periodic-snapshots', text, vars: { kubeconfig, namespace: 'shop', pvc: 'db' } });
      engine.start();
      const build = await firstFinishedBuild(engine, 'periodic-snapshots', 'snapshot');
      expect(build.status).toBe('succeeded');
      const snapshots = sim.store.list('volumesnapshots', 'shop');
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]).toMatchObject({
        metadata: { name: expect.stringMatching(/^db-snapshot-1-20260301-1000/), labels: expect.objectContaining({ 'weir.dev/job': 'snapshot' }) },
        spec: { source: { persistentVolumeClaimName: 'db' } },
        status: { readyToUse: true },
      });
    } finally {
      await sim.stop();
    }
  });
});
