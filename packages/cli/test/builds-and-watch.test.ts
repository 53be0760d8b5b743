import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from './support/engine-server.js';
import { at, OUTCOMES_PIPELINE, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

async function engineWithOutcomes(): Promise<EngineServer> {
  const server = await startEngineServer();
  const set = await weir(['set-pipeline', ...at(server), '-p', 'demo', '-c', pipelineFile(OUTCOMES_PIPELINE), '-n']);
  expect(set.status).toBe(0);
  return server;
}

/** Waits (boundedly) until the engine has logged `line` for the build. */
async function untilLogged(server: EngineServer, buildId: number, line: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (server.engine.events.list(buildId).some((event) => event.type === 'log' && event.data.line === line)) return;
    await sleep(50);
  }
  throw new Error(`build ${buildId} never logged ${line}`);
}

describe('weir trigger-job -w and weir watch', () => {
  it('prints the log as it runs and exits 0 for a build that succeeded', async () => {
    const server = await engineWithOutcomes();
    const result = await weir(['trigger-job', ...at(server), '-j', 'demo/passes', '-w']);
    expect(result.status).toBe(0);
    expect(result.out).toMatch(/^started demo\/passes #1 \(build id \d+\)\n/);
    expect(result.out).toContain('▸ get: tick\n  → version:1\n▸ task: say-hello\n');
    expect(result.out).toContain('hello\n');
    expect(result.out.endsWith('succeeded\n')).toBe(true);
    expect(result.err).toContain('careful\n');
    expect(result.out).not.toContain('\u001b[');
  });

  it('says why a pending build waits (a paused job), and follows it once it starts', async () => {
    const server = await engineWithOutcomes();
    expect((await weir(['pause-job', ...at(server), '-j', 'demo/passes'])).status).toBe(0);
    let unpaused: Promise<unknown> | undefined;
    const result = await weir(['trigger-job', ...at(server), '-j', 'demo/passes', '-w'], {
      onErr: (err) => {
        if (!unpaused && err.includes('not started yet')) unpaused = weir(['unpause-job', ...at(server), '-j', 'demo/passes']);
      },
    });
    await unpaused;
    expect(result.status).toBe(0);
    expect(result.err).toContain('not started yet: paused: job passes is paused\n');
    expect(result.out.endsWith('succeeded\n')).toBe(true);
  });

  it('says which input of a pending build has a failing check', async () => {
    const server = await startEngineServer();
    const pipeline = 'resources:\n- name: broken\n  type: mock\n  source: {check_failure: "the registry said 503"}\njobs:\n- name: deploy\n  plan:\n  - get: broken\n';
    expect((await weir(['set-pipeline', ...at(server), '-p', 'demo', '-c', pipelineFile(pipeline), '-n'])).status).toBe(0);
    await weir(['check-resource', ...at(server), '-r', 'demo/broken']);
    let aborted: Promise<unknown> | undefined;
    const result = await weir(['trigger-job', ...at(server), '-j', 'demo/deploy', '-w'], {
      onErr: (err) => {
        const id = /build id (\d+)/.exec(err)?.[1];
        if (!aborted && err.includes('not started yet')) aborted = weir(['abort-build', ...at(server), '-b', id ?? '1']);
      },
    });
    await aborted;
    expect(result.err).toContain('not started yet: 1 build waiting: input broken: resource broken has no versions yet\n  input broken: the last check of broken failed: intentionally failing to check: the registry said 503\n');
    expect(result.status).toBe(3);
  });

  it('exits 1 for a failed build, 2 for an errored one', async () => {
    const server = await engineWithOutcomes();
    const failed = await weir(['trigger-job', ...at(server), '-j', 'demo/fails', '-w']);
    expect(failed.status).toBe(1);
    expect(failed.out).toContain('about to fail\n');
    expect(failed.err).toContain('▸ task: break failed (exit status 3)');
    expect(failed.out.endsWith('failed\n')).toBe(true);

    const errored = await weir(['trigger-job', ...at(server), '-j', 'demo/errors', '-w']);
    expect(errored.status).toBe(2);
    expect(errored.err).toContain('▸ put: out errored');
    expect(errored.out).toMatch(/errored(: .+)?\n$/);
  });

  it('watches a finished build again by id, by job, and by job and name, with the same exit status', async () => {
    const server = await engineWithOutcomes();
    const first = await weir(['trigger-job', ...at(server), '-j', 'demo/fails', '-w']);
    const id = /build id (\d+)/.exec(first.out)?.[1] as string;
    const byId = await weir(['watch', ...at(server), '-b', id]);
    const byJob = await weir(['watch', ...at(server), '-j', 'demo/fails']);
    const byName = await weir(['watch', ...at(server), '-j', 'demo/fails', '-b', '1']);
    expect([byId.status, byJob.status, byName.status]).toEqual([1, 1, 1]);
    expect(byJob.out).toBe(byId.out);
    expect(byName.out).toBe(byId.out);
    expect(byId.out).toContain('about to fail\n');

    const missing = await weir(['watch', ...at(server), '-j', 'demo/fails', '-b', '9']);
    expect(missing.status).toBe(1);
    expect(missing.err).toContain('error: job demo/fails has no build named "9"');
    const none = await weir(['watch', ...at(server), '-j', 'demo/passes']);
    expect(none.err).toContain('error: job demo/passes has no builds yet\n  hint: start one with `weir trigger-job -j demo/passes`');
  });

  it('exits 3 for a build aborted while it is watched', async () => {
    const server = await engineWithOutcomes();
    const triggered = await weir(['trigger-job', ...at(server), '-j', 'demo/sleeps']);
    const id = Number(/build id (\d+)/.exec(triggered.out)?.[1]);
    const watching = weir(['watch', ...at(server), '-b', String(id), '-t']);
    await untilLogged(server, id, 'napping');
    const aborted = await weir(['abort-build', ...at(server), '-b', String(id)]);
    expect(aborted.status).toBe(0);
    expect(aborted.out).toMatch(/^abort(ed|ing) demo\/sleeps #1\n$/);
    const watched = await watching;
    expect(watched.status).toBe(3);
    expect(watched.out).toMatch(/^\d\d:\d\d:\d\d {2}▸ task: nap$/m);
    expect(watched.out.endsWith('aborted\n')).toBe(true);
  });

  it('draws a progress line for running steps only on a terminal, and colors only when asked', async () => {
    const server = await engineWithOutcomes();
    const triggered = await weir(['trigger-job', ...at(server), '-j', 'demo/sleeps']);
    const id = Number(/build id (\d+)/.exec(triggered.out)?.[1]);
    const watching = weir(['watch', ...at(server), '-b', String(id)], { terminal: true, color: true });
    await untilLogged(server, id, 'napping');
    await weir(['abort-build', ...at(server), '-b', String(id)]);
    const watched = await watching;
    expect(watched.status).toBe(3);
    expect(watched.out).toContain('running: task: nap');
    expect(watched.out).toContain('\r\u001b[K');
    expect(watched.out).toContain('\u001b[33maborted\u001b[0m\n');
  });

  it('reruns a build and watches the rerun', async () => {
    const server = await engineWithOutcomes();
    await weir(['trigger-job', ...at(server), '-j', 'demo/passes', '-w']);
    const rerun = await weir(['rerun-build', ...at(server), '-j', 'demo/passes', '-b', '1', '-w']);
    expect(rerun.status).toBe(0);
    expect(rerun.out).toMatch(/^started demo\/passes #1\.1 \(build id \d+\), a rerun of demo\/passes #1\n/);
    expect(rerun.out.endsWith('succeeded\n')).toBe(true);
  });
});

describe('weir builds', () => {
  it('lists builds newest first, of everything, of a pipeline or of a job, as a table or JSON', async () => {
    const server = await engineWithOutcomes();
    await weir(['trigger-job', ...at(server), '-j', 'demo/passes', '-w']);
    await weir(['trigger-job', ...at(server), '-j', 'demo/fails', '-w']);

    const all = await weir(['builds', ...at(server)]);
    expect(all.status).toBe(0);
    const lines = all.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +name +status +start +end +duration$/);
    expect(lines.slice(1).map((line) => line.split(/ {2,}/).slice(1, 3))).toEqual([
      ['demo/fails/1', 'failed'],
      ['demo/passes/1', 'succeeded'],
    ]);

    const ofPipeline = await weir(['builds', ...at(server), '-p', 'demo', '--count', '1']);
    expect(ofPipeline.out.trimEnd().split('\n')).toHaveLength(2);
    expect(ofPipeline.out).toContain('demo/fails/1');

    const ofJob = await weir(['builds', ...at(server), '-j', 'demo/passes', '--json']);
    const json = JSON.parse(ofJob.out) as Array<{ job_name: string; status: string; name: string }>;
    expect(json.map((b) => [b.job_name, b.name, b.status])).toEqual([['passes', '1', 'succeeded']]);

    const badCount = await weir(['builds', ...at(server), '--count', 'lots']);
    expect(badCount).toMatchObject({ status: 1, err: 'error: --count "lots" is not a positive whole number\n  hint: write e.g. --count 20\n' });
  });
});
