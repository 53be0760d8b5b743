import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesWith, waitFor } from '../../packages/engine/test/support/processes.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

/**
 * Probe 8 of the hardening issue: one second after a kill -9 of the engine, 13 task processes
 * were still running. A task's processes, background ones included, must go with the engine.
 */

const MARK = '3133';
/** The task's sleep processes, as the host sees them. */
const sleeps = () => processesWith(`sleep ${MARK}`, { exact: true });

const PIPELINE = `
jobs:
- name: sleeper
  plan:
  - task: sleep
    config:
      platform: linux
      run: {path: sh, args: [-c, 'sleep ${MARK} & sleep ${MARK} & sleep ${MARK} & echo sleeping-$((${MARK} + 0)); wait']}
`;

describe.skipIf(process.platform !== 'linux')('task processes on the host', () => {
  let root: string;
  const engines: WeirProcess[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'weir-task-processes-'));
    mkdirSync(join(root, 'pipelines'));
    writeFileSync(join(root, 'pipelines', 'sleepy.yml'), PIPELINE);
  });
  afterAll(async () => {
    for (const engine of engines) await stopWeir(engine, 'SIGKILL');
    for (const pid of sleeps()) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('do not outlive an engine killed with SIGKILL, background processes included', async () => {
    const dataDir = join(root, 'data');
    const args = ['--data', dataDir, '--pipelines', join(root, 'pipelines')];
    const first = await startWeirUp(args);
    engines.push(first);
    const weir = (engine: WeirProcess, command: string[]) => runWeir(command, { WEIR_URL: engine.url, WEIR_DATA: dataDir });
    expect((await weir(first, ['unpause-pipeline', '-p', 'sleepy'])).status).toBe(0);
    expect((await weir(first, ['trigger-job', '-j', 'sleepy/sleeper'])).status).toBe(0);
    await waitFor(() => sleeps().length === 3, 'the task\'s three sleep processes');
    // The engine registers a task's process group as soon as it has spawned it, before it reads
    // any of its output: once the log holds the task's line, the engine has had that moment.
    const [build] = (await first.get('/pipelines/sleepy/jobs/sleeper/builds')) as Array<{ id: number }>;
    await waitFor(async () => JSON.stringify(await first.get(`/builds/${build!.id}/events?format=json`)).includes(`sleeping-${MARK}`), 'the task\'s line in the log');

    await stopWeir(first, 'SIGKILL');
    await waitFor(() => sleeps().length === 0, 'the task\'s processes to end with the engine', 10_000);

    const second = await startWeirUp(args);
    engines.push(second);
    const builds = await weir(second, ['builds', '-j', 'sleepy/sleeper', '--json']);
    expect((JSON.parse(builds.stdout) as Array<{ status: string }>)[0]!.status).toBe('errored');
  });
});
