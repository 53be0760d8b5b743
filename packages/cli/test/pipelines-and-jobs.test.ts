import { describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from './support/engine-server.js';
import { at, OUTCOMES_PIPELINE, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

async function engineWith(...names: string[]): Promise<EngineServer> {
  const server = await startEngineServer({ start: false });
  const file = pipelineFile(OUTCOMES_PIPELINE);
  for (const name of names) expect((await weir(['set-pipeline', ...at(server), '-p', name, '-c', file, '-n'])).status).toBe(0);
  return server;
}

const rows = (table: string): string[][] =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));

describe('weir pipelines', () => {
  it('lists pipelines and instances in a table, or the API JSON with --json', async () => {
    const server = await engineWith('demo', 'my-app/pr:12');
    const table = await weir(['pipelines', ...at(server)]);
    expect(table.status).toBe(0);
    expect(rows(table.out).map((row) => row.slice(0, 3))).toEqual([
      ['id', 'name', 'paused'],
      ['1', 'demo', 'no'],
      ['2', 'my-app/pr:12', 'no'],
    ]);
    const json = JSON.parse((await weir(['pipelines', ...at(server), '--json'])).out) as Array<{ name: string; instance_vars: object; config_version: number }>;
    expect(json.map((p) => [p.name, p.instance_vars, p.config_version])).toEqual([
      ['demo', {}, 1],
      ['my-app', { pr: 12 }, 1],
    ]);
  });

  it('pauses and unpauses a pipeline', async () => {
    const server = await engineWith('demo');
    expect(await weir(['pause-pipeline', ...at(server), '-p', 'demo'])).toMatchObject({ status: 0, out: 'paused pipeline demo\n' });
    expect(rows((await weir(['pipelines', ...at(server)])).out)[1]?.[2]).toBe('yes');
    expect(await weir(['unpause-pipeline', ...at(server), '-p', 'demo'])).toMatchObject({ status: 0, out: 'unpaused pipeline demo\n' });
    expect(rows((await weir(['pipelines', ...at(server)])).out)[1]?.[2]).toBe('no');
  });

  it('archives only when confirmed, and lists archived pipelines with --all', async () => {
    const server = await engineWith('demo');
    const refused = await weir(['archive-pipeline', ...at(server), '-p', 'demo']);
    expect(refused.status).toBe(1);
    expect(refused.err).toContain('hint: pass -n (--non-interactive)');
    const archived = await weir(['archive-pipeline', ...at(server), '-p', 'demo'], { answers: ['y'] });
    expect(archived).toMatchObject({ status: 0, out: 'archived pipeline demo\n', questions: ['archive pipeline demo? (if it has a teardown_job, that job runs first and deletes what the pipeline created) [yN]: '] });
    expect((await weir(['pipelines', ...at(server)])).out.trimEnd().split('\n')).toHaveLength(1);
    expect(rows((await weir(['pipelines', ...at(server), '--all'])).out)[1]?.slice(1, 4)).toEqual(['demo', 'yes', 'yes']);
  });

  it('destroys a pipeline with -n, and says so for one that does not exist', async () => {
    const server = await engineWith('demo');
    expect(await weir(['destroy-pipeline', ...at(server), '-p', 'demo', '-n'])).toMatchObject({ status: 0, out: 'destroyed pipeline demo\n' });
    const gone = await weir(['destroy-pipeline', ...at(server), '-p', 'demo', '-n']);
    expect(gone.status).toBe(1);
    expect(gone.err).toContain('error: no pipeline main/demo\n  hint: check the name and instance vars');
  });
});

describe('weir get-pipeline', () => {
  it('prints the stored config as YAML in the usual key order, or as JSON', async () => {
    const server = await engineWith('demo');
    const yaml = await weir(['get-pipeline', ...at(server), '-p', 'demo']);
    expect(yaml.status).toBe(0);
    expect(yaml.out).toMatch(/^resources:\n {2}- name: tick\n {4}type: mock\n/);
    expect(yaml.out.indexOf('resources:')).toBeLessThan(yaml.out.indexOf('jobs:'));
    const json = JSON.parse((await weir(['get-pipeline', ...at(server), '-p', 'demo', '--json'])).out) as { jobs: Array<{ name: string }> };
    expect(json.jobs.map((j) => j.name)).toEqual(['passes', 'fails', 'errors', 'sleeps']);
  });
});

describe('weir jobs', () => {
  it("lists a pipeline's jobs with their latest build, and pauses and unpauses one", async () => {
    const server = await engineWith('my-app/pr:12');
    server.engine.start();
    expect((await weir(['trigger-job', ...at(server), '-j', 'my-app/pr:12/fails', '-w'])).status).toBe(1);
    expect(await weir(['pause-job', ...at(server), '-j', 'my-app/pr:12/passes'])).toMatchObject({ status: 0, out: 'paused job my-app/pr:12/passes\n' });
    const table = await weir(['jobs', ...at(server), '-p', 'my-app/pr:12']);
    expect(rows(table.out)).toEqual([
      ['name', 'paused', 'status', 'next'],
      ['passes', 'yes', 'n/a', 'n/a'],
      ['fails', 'no', 'failed', 'n/a'],
      ['errors', 'no', 'n/a', 'n/a'],
      ['sleeps', 'no', 'n/a', 'n/a'],
    ]);
    expect(await weir(['unpause-job', ...at(server), '-j', 'my-app/pr:12/passes'])).toMatchObject({ status: 0, out: 'unpaused job my-app/pr:12/passes\n' });
    const json = JSON.parse((await weir(['jobs', ...at(server), '-p', 'my-app/pr:12', '--json'])).out) as Array<{ name: string; paused: boolean; finished_build: { status: string } | null }>;
    expect(json.map((j) => [j.name, j.paused, j.finished_build?.status ?? null])).toEqual([
      ['passes', false, null],
      ['fails', false, 'failed'],
      ['errors', false, null],
      ['sleeps', false, null],
    ]);
  });

  it('finds an instance whose var is the string "1" from -p env/pr:1, and names both when both exist', async () => {
    const server = await engineWith('env/pr:"1"');
    const found = await weir(['jobs', ...at(server), '-p', 'env/pr:1']);
    expect(found.status).toBe(0);
    expect(rows(found.out)[1]).toEqual(['passes', 'no', 'n/a', 'n/a']);
    expect((await weir(['set-pipeline', ...at(server), '-p', 'env/pr:1,on:"true"', '-c', pipelineFile(OUTCOMES_PIPELINE), '-n'])).status).toBe(0);
    expect(await weir(['set-pipeline', ...at(server), '-p', 'env/pr:"1",on:true', '-c', pipelineFile(OUTCOMES_PIPELINE), '-n'])).toMatchObject({
      status: 0,
      err: 'note: pipeline env/on:"true",pr:1 exists; this sets another instance, env/pr:"1",on:true\n',
    });
    const ambiguous = await weir(['jobs', ...at(server), '-p', 'env/pr:"1",on:"true"']);
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.err).toContain('could name 2 instances: main/env/{"on":"true","pr":1}, main/env/{"on":true,"pr":"1"}');
  });

  it("prints the scheduler's explanation of a job", async () => {
    const server = await engineWith('demo');
    await weir(['pause-pipeline', ...at(server), '-p', 'demo']);
    const explained = await weir(['explain', ...at(server), '-j', 'demo/passes']);
    expect(explained.status).toBe(0);
    expect(explained.out.split('\n')[0]).toMatch(/^demo\/passes: paused: /);
    expect(explained.out).toContain('held back by:\n');
    expect(explained.out).toContain('inputs:\n');
    const json = JSON.parse((await weir(['explain', ...at(server), '-j', 'demo/passes', '--json'])).out) as { job: string; blockers: Array<{ code: string }> };
    expect(json.job).toBe('passes');
    expect(json.blockers.map((b) => b.code)).toContain('pipeline-paused');
  });
});
