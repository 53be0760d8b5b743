import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExecutor, WeirError, type TaskRun, type TaskResult } from '../../src/index.js';
import { silentLogger } from '../support/engine.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-executor-'));
  roots.push(dir);
  return dir;
}

/** A fresh working directory, as the runner would make one. */
function workDir(): string {
  const dir = join(tempDir(), 'work');
  mkdirSync(dir);
  return dir;
}

interface Captured {
  stdout: string[];
  stderr: string[];
}

function task(fields: Partial<Omit<TaskRun, 'run'>> & { run: Partial<TaskRun['run']> & { path: string } }, captured?: Captured): TaskRun {
  return {
    workDir: fields.workDir ?? workDir(),
    inputs: fields.inputs ?? [],
    outputs: fields.outputs ?? [],
    caches: fields.caches ?? [],
    run: { args: [], ...fields.run },
    env: fields.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    signal: fields.signal ?? new AbortController().signal,
    onOutput: fields.onOutput ?? ((stream, line) => captured?.[stream].push(line)),
  };
}

const sh = (script: string): { path: string; args: string[] } => ({ path: 'sh', args: ['-c', script] });

/** Alive and not a zombie waiting to be reaped by whoever adopted it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await delay(10);
  expect(condition()).toBe(true);
}

async function rejection(promise: Promise<TaskResult>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the task should have been rejected'),
    (reason: unknown) => reason,
  );
}

const executor = new LocalExecutor({ logger: silentLogger, killGraceMs: 200 });

describe('LocalExecutor', () => {
  it('says that tasks run on the host', () => {
    expect(executor.description).toContain('not in containers');
  });

  it('copies inputs so the artifact is unchanged, and returns outputs', async () => {
    const artifact = join(tempDir(), 'repo');
    mkdirSync(join(artifact, 'src'), { recursive: true });
    writeFileSync(join(artifact, 'src', 'main.txt'), 'original\n');
    const run = task({
      inputs: [{ name: 'repo', path: 'repo', source: artifact }],
      outputs: [{ name: 'built', path: 'out/built' }],
      run: sh('cat repo/src/main.txt > out/built/copy.txt && echo changed > repo/src/main.txt && echo new > repo/added.txt'),
    });
    const result = await executor.runTask(run);
    expect(result.exitStatus).toBe(0);
    expect(readFileSync(join(artifact, 'src', 'main.txt'), 'utf8')).toBe('original\n');
    expect(readdirSync(artifact).sort()).toEqual(['src']);
    expect(result.outputs).toEqual({ built: join(run.workDir, 'out/built') });
    expect(readFileSync(join(result.outputs.built as string, 'copy.txt'), 'utf8')).toBe('original\n');
  });

  it('places an input inside another input, and gives an output at an input\'s path the changed copy', async () => {
    const outer = join(tempDir(), 'outer');
    const inner = join(tempDir(), 'inner');
    mkdirSync(outer);
    mkdirSync(inner);
    writeFileSync(join(outer, 'a'), 'a');
    writeFileSync(join(inner, 'b'), 'b');
    const result = await executor.runTask(
      task({
        inputs: [
          { name: 'inner', path: 'outer/nested', source: inner },
          { name: 'outer', path: 'outer', source: outer },
        ],
        outputs: [{ name: 'changed', path: 'outer' }],
        run: sh('echo c > outer/c'),
      }),
    );
    expect(readdirSync(result.outputs.changed as string).sort()).toEqual(['a', 'c', 'nested']);
    expect(readdirSync(join(result.outputs.changed as string, 'nested'))).toEqual(['b']);
    expect(readdirSync(outer)).toEqual(['a']);
  });

  it('keeps a cache between runs of the task, whatever their outcome', async () => {
    const store = join(tempDir(), 'caches', 'deps');
    const counted = (script: string): TaskRun => task({ caches: [{ path: 'deps', store }], run: sh(`echo $(( $(cat deps/count 2>/dev/null || echo 0) + 1 )) > deps/count; ${script}`) });
    expect((await executor.runTask(counted('true'))).exitStatus).toBe(0);
    expect((await executor.runTask(counted('exit 1'))).exitStatus).toBe(1);
    const captured: Captured = { stdout: [], stderr: [] };
    await executor.runTask({ ...counted('cat deps/count'), onOutput: (stream, line) => captured[stream].push(line) });
    expect(captured.stdout).toEqual(['3']);
    expect(readFileSync(join(store, 'count'), 'utf8')).toBe('3\n');
  });

  it('starts a second build of the job with an empty cache while the first holds it', async () => {
    const store = join(tempDir(), 'caches', 'deps');
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'warm'), '');
    const go = join(tempDir(), 'go');
    let firstHoldsCache!: () => void;
    const holding = new Promise<void>((resolve) => (firstHoldsCache = resolve));
    const first = executor.runTask(
      task({
        caches: [{ path: 'deps', store }],
        run: sh(`ls deps; while [ ! -e ${go} ]; do sleep 0.01; done`),
        onOutput: () => firstHoldsCache(),
      }),
    );
    await holding;
    const captured: Captured = { stdout: [], stderr: [] };
    const second = await executor.runTask(task({ caches: [{ path: 'deps', store }], run: sh('ls deps | wc -l; touch deps/from-second') }, captured));
    writeFileSync(go, '');
    expect((await first).exitStatus).toBe(0);
    expect(second.exitStatus).toBe(0);
    expect(captured.stdout.map((line) => line.trim())).toEqual(['0']);
    expect(readdirSync(store)).toEqual(['from-second']);
  });

  it('gives the process exactly the environment it is handed', async () => {
    const captured: Captured = { stdout: [], stderr: [] };
    await executor.runTask(task({ env: { PATH: process.env.PATH ?? '', GREETING: 'hello world', EMPTY: '' }, run: { path: 'env' } }, captured));
    expect(captured.stdout.sort()).toEqual(['EMPTY=', 'GREETING=hello world', `PATH=${process.env.PATH ?? ''}`]);
  });

  it('returns a non-zero exit status rather than throwing, with stdout and stderr apart', async () => {
    const captured: Captured = { stdout: [], stderr: [] };
    const result = await executor.runTask(task({ run: sh('echo out; echo err >&2; exit 3') }, captured));
    expect(result.exitStatus).toBe(3);
    expect(captured).toEqual({ stdout: ['out'], stderr: ['err'] });
  });

  it('runs a relative run.path from run.dir, and ignores run.user', async () => {
    const repo = join(tempDir(), 'repo');
    mkdirSync(join(repo, 'ci'), { recursive: true });
    writeFileSync(join(repo, 'ci', 'test.sh'), '#!/bin/sh\necho "$0 in $(basename "$PWD")"\n');
    chmodSync(join(repo, 'ci', 'test.sh'), 0o755);
    const captured: Captured = { stdout: [], stderr: [] };
    const result = await executor.runTask(task({ inputs: [{ name: 'repo', path: 'repo', source: repo }], run: { path: './ci/test.sh', dir: 'repo', user: 'nobody-at-all' } }, captured));
    expect(result.exitStatus).toBe(0);
    expect(captured.stdout).toEqual(['./ci/test.sh in repo']);
  });

  it('errors with task-executable-not-found for a program that is not there', async () => {
    const missingOnPath = await rejection(executor.runTask(task({ run: { path: 'no-such-program-anywhere' } })));
    expect(missingOnPath).toBeInstanceOf(WeirError);
    expect((missingOnPath as WeirError).code).toBe('task-executable-not-found');
    const missingFile = await rejection(executor.runTask(task({ run: { path: 'repo/missing.sh' } })));
    expect((missingFile as WeirError).code).toBe('task-executable-not-found');
  });

  it('errors with task-not-executable for a file without the execute bit', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'script.sh'), 'echo hi\n');
    const error = await rejection(executor.runTask(task({ workDir: dir, run: { path: './script.sh' } })));
    expect((error as WeirError).code).toBe('task-not-executable');
  });

  it('errors with task-dir-not-found when run.dir does not exist', async () => {
    const error = await rejection(executor.runTask(task({ run: { path: 'true', dir: 'nowhere' } })));
    expect((error as WeirError).code).toBe('task-dir-not-found');
  });

  it('kills background processes the task leaves behind when it exits', async () => {
    const dir = workDir();
    const result = await executor.runTask(task({ workDir: dir, run: sh('sleep 100 & echo $! > pidfile') }));
    expect(result.exitStatus).toBe(0);
    const pid = Number(readFileSync(join(dir, 'pidfile'), 'utf8'));
    await waitUntil(() => !isRunning(pid));
  });

  it('on abort, kills the whole process group and rejects with the reason', async () => {
    const dir = workDir();
    const controller = new AbortController();
    const reason = new Error('build aborted');
    const running = executor.runTask(
      task({
        workDir: dir,
        signal: controller.signal,
        run: sh('sleep 100 & echo $! > pidfile; echo started; sleep 100'),
        onOutput: (_stream, line) => {
          if (line === 'started') controller.abort(reason);
        },
      }),
    );
    expect(await rejection(running)).toBe(reason);
    const grandchild = Number(readFileSync(join(dir, 'pidfile'), 'utf8'));
    await waitUntil(() => !isRunning(grandchild));
  });

  it('sends SIGKILL after the grace period to a task that ignores SIGTERM', async () => {
    const dir = workDir();
    const controller = new AbortController();
    const running = executor.runTask(
      task({
        workDir: dir,
        signal: controller.signal,
        run: sh('trap "" TERM; echo $$ > pidfile; echo started; while :; do sleep 1; done'),
        onOutput: (_stream, line) => {
          if (line === 'started') controller.abort(new Error('timed out'));
        },
      }),
    );
    expect((await rejection(running)) as Error).toHaveProperty('message', 'timed out');
    expect(isRunning(Number(readFileSync(join(dir, 'pidfile'), 'utf8')))).toBe(false);
  });

  it('does not start a task whose signal is already aborted', async () => {
    const dir = workDir();
    const reason = new Error('too late');
    const error = await rejection(executor.runTask(task({ workDir: dir, signal: AbortSignal.abort(reason), run: sh('touch ran') })));
    expect(error).toBe(reason);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('delivers 200,000 lines complete and in order', async () => {
    let count = 0;
    let inOrder = true;
    const result = await executor.runTask(
      task({
        run: { path: 'seq', args: ['1', '200000'] },
        onOutput: (_stream, line) => {
          count++;
          if (line !== String(count)) inOrder = false;
        },
      }),
    );
    expect(result.exitStatus).toBe(0);
    expect(count).toBe(200_000);
    expect(inOrder).toBe(true);
  });

  describe('with a cap of one task at a time', () => {
    it('starts the second task only after the first has ended', async () => {
      const serial = new LocalExecutor({ logger: silentLogger, maxConcurrentTasks: 1 });
      const log = join(tempDir(), 'log');
      const first = serial.runTask(task({ run: sh(`echo first-start >> ${log}; sleep 0.2; echo first-end >> ${log}`) }));
      const second = serial.runTask(task({ run: sh(`echo second-start >> ${log}`) }));
      await Promise.all([first, second]);
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['first-start', 'first-end', 'second-start']);
    });

    it('drops a waiting task from the queue when its signal aborts', async () => {
      const serial = new LocalExecutor({ logger: silentLogger, maxConcurrentTasks: 1 });
      const go = join(tempDir(), 'go');
      const log = join(tempDir(), 'log');
      let started!: () => void;
      const firstStarted = new Promise<void>((resolve) => (started = resolve));
      const first = serial.runTask(
        task({
          run: sh(`echo started; while [ ! -e ${go} ]; do sleep 0.01; done; echo first >> ${log}`),
          onOutput: () => started(),
        }),
      );
      await firstStarted;
      const controller = new AbortController();
      const abandonedDir = workDir();
      const abandoned = serial.runTask(task({ workDir: abandonedDir, signal: controller.signal, outputs: [{ name: 'out', path: 'out' }], run: sh(`echo abandoned >> ${log}`) }));
      const third = serial.runTask(task({ run: sh(`echo third >> ${log}`) }));
      const reason = new Error('aborted while waiting');
      controller.abort(reason);
      expect(await rejection(abandoned)).toBe(reason);
      writeFileSync(go, '');
      await Promise.all([first, third]);
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['first', 'third']);
      expect(readdirSync(abandonedDir)).toEqual([]);
    });
  });
});
