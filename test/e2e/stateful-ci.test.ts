import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine, startApiServer, type BuildRecord } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { runWeir } from '../support/weir-process.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const exampleText = readFileSync(join(REPO, 'examples/stateful-ci/pipeline.yml'), 'utf8');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function finishedBuild(engine: Engine, job: string, after = 0): Promise<BuildRecord> {
  const pipelineId = engine.store.pipelines.get({ name: 'stateful-ci' })!.id;
  const jobId = engine.store.jobs.get(pipelineId, job)!.id;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const finished = engine.store.builds.jobSummary(jobId).finishedBuild;
    if (finished && finished.id > after) return finished;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`stateful-ci/${job} did not finish a build within 60 s`);
}

function stdout(engine: Engine, buildId: number, stream: 'stdout' | 'stderr' = 'stdout'): string[] {
  return engine.events.list(buildId, 0, 10_000).flatMap((e) => (e.type === 'log' && e.data.stream === stream ? [e.data.line] : []));
}

/** The snapshots in the store whose names start with `prefix`, with what their metadata says. */
function snapshots(root: string, prefix: string): Array<{ name: string; pipeline?: string; job?: string; build?: string }> {
  return readdirSync(join(root, 'snapshots'))
    .filter((entry) => entry.startsWith(prefix) && entry.endsWith('.json'))
    .map((entry) => JSON.parse(readFileSync(join(root, 'snapshots', entry), 'utf8')) as { name: string });
}


describe('stateful-ci example', () => {
  it('keeps a failed stage\'s data, cleans up a run\'s checkpoints, tests staging on production data, and restores a failure in one command', async () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-stateful-ci-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
    cleanups.push(() => engine.stop());
    engine.setPipeline({ name: 'stateful-ci', text: exampleText.replaceAll('/tmp/weir-examples/stateful-ci', root) });
    engine.start();
    const users = (dir: string) => readFileSync(join(root, dir, 'users.csv'), 'utf8');

    // Release 1 passes: the run's checkpoints are gone, production's snapshot stays.
    const green = await finishedBuild(engine, 'ci');
    expect(green.status).toBe('succeeded');
    expect(stdout(engine, green.id)).toContain('tests passed against 3 users on schema 1');
    expect(stdout(engine, green.id, 'stderr')).toContain('deleted 2 snapshot(s) this resource made');
    expect(snapshots(root, 'ci-run-')).toEqual([]);

    // Staging: a fresh copy of the latest production snapshot, tested with the release that passed.
    const staging = await finishedBuild(engine, 'staging');
    expect(staging.status).toBe('succeeded');
    expect(stdout(engine, staging.id)).toContain('tests passed against 3 users on schema 1');
    const [production] = snapshots(root, 'production-');
    expect(production).toBeDefined();
    expect(users('staging-db')).toBe(readFileSync(join(root, 'snapshots', production!.name, 'users.csv'), 'utf8'));
    expect(users('staging-db')).toContain('linus@example.com');

    // Release 2's migration fails on the CI data.
    const pipelineId = engine.store.pipelines.get({ name: 'stateful-ci' })!.id;
    await engine.checker.checkResource(engine.store.resources.get(pipelineId, 'app')!.id, { version: '2' });
    const red = await finishedBuild(engine, 'ci', green.id);
    expect(red.status).toBe('failed');
    expect(stdout(engine, red.id)).toContain('migration 2 failed: more than one user has the email ada@example.com');

    const failures = snapshots(root, 'ci-failed-');
    expect(failures).toEqual([expect.objectContaining({ pipeline: 'stateful-ci', job: 'ci', build: red.name })]);
    const failed = failures[0]!.name;
    // Named after the build that failed, so a listing of the store says which run it holds.
    expect(failed.startsWith(`ci-failed-ci-${red.name}-`)).toBe(true);
    expect(stdout(engine, red.id)).toContain(`the data as this stage left it is snapshot ${failed}; restore it with: weir trigger-job -j stateful-ci/restore-failed-stage -w`);
    // As the migration left it: emails lowered, schema not yet raised.
    expect(readFileSync(join(root, 'snapshots', failed, 'users.csv'), 'utf8')).toBe('id,name,email\n1,ada,ada@example.com\n2,grace,grace@example.com\n3,Ada,ada@example.com\n');
    expect(readFileSync(join(root, 'snapshots', failed, 'schema'), 'utf8')).toBe('1\n');
    // The CI database itself was rolled back, and the failed run's checkpoints cleaned up too.
    expect(users('ci-db')).toContain('3,Ada,Ada@example.com');
    expect(stdout(engine, red.id, 'stderr')).toContain('deleted 1 snapshot(s) this resource made');
    expect(snapshots(root, 'ci-run-')).toEqual([]);
    expect(snapshots(root, 'production-')).toEqual([production]);

    // The documented one command, against the engine's API.
    const token = 'stateful-ci-test-token';
    const server = await startApiServer({ engine, token, port: 0 });
    cleanups.push(() => server.close());
    expect(existsSync(join(root, 'debug-db'))).toBe(false);
    const restore = await runWeir(['trigger-job', '-j', 'stateful-ci/restore-failed-stage', '-w'], { WEIR_URL: server.url, WEIR_TOKEN: token });
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`"build": "${red.name}"`);
    expect(users('debug-db')).toBe(readFileSync(join(root, 'snapshots', failed, 'users.csv'), 'utf8'));
  });
});
