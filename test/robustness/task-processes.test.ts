import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

/**
 * Probe 8 of the hardening issue: one second after a kill -9 of the engine, 13 task processes
 * were still running. A task's processes, background ones included, must go with the engine.
 */

const MARK = '3133';
const PIPELINE = `
jobs:
- name: sleeper
  plan:
  - task: sleep
    config:
      platform: linux
      run: {path: sh, args: [-c, 'sleep ${MARK} & sleep ${MARK} & sleep ${MARK} & echo sleeping-$((${MARK} + 0)); wait']}
`;

/** Host pids of the task's sleep processes. */
function sleeps(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === `sleep ${MARK}`) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function waitForAsync(condition: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
    await waitForAsync(async () => JSON.stringify(await first.get(`/builds/${build!.id}/events?format=json`)).includes(`sleeping-${MARK}`), 'the task\'s line in the log');

    await stopWeir(first, 'SIGKILL');
    await waitFor(() => sleeps().length === 0, 'the task\'s processes to end with the engine', 10_000);

    const second = await startWeirUp(args);
    engines.push(second);
    const builds = await weir(second, ['builds', '-j', 'sleepy/sleeper', '--json']);
    expect((JSON.parse(builds.stdout) as Array<{ status: string }>)[0]!.status).toBe('errored');
  });
});
