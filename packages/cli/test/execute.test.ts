import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeCommand, HOST_LINE, type ExecuteOptions } from '../src/commands/run-execute.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'weir-execute-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ON_HOST = `weir execute: ${HOST_LINE}\n`;
const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/someone' };

async function execute(options: Partial<ExecuteOptions> & { config: string }): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await executeCommand(
    { inputs: [], outputs: [], varFlags: [], cwd: dir, ...options },
    { out: (t) => (out += t), err: (t) => (err += t), color: false, env: { ...hostEnv, SECRET_FROM_HOST: 'not passed' } },
  );
  return { status, out, err };
}

function taskFile(text: string): string {
  const file = path.join(dir, 'task.yml');
  writeFileSync(file, text);
  return file;
}

function directory(name: string, files: Record<string, string> = {}): string {
  const at = path.join(dir, name);
  mkdirSync(at, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(at, file), text);
  return at;
}

const BUILD = `platform: linux
inputs:
- name: source
- name: tools
outputs:
- name: dist
run:
  path: sh
  args:
  - -ec
  - |
    cat source/greeting.txt tools/suffix.txt > dist/message.txt
    echo built
    echo overwritten > source/greeting.txt
`;

describe('weir execute', () => {
  it('runs the task with -i inputs, copies -o outputs out, and leaves the inputs as they were', async () => {
    directory('src', { 'greeting.txt': 'hello\n' });
    directory('tools', { 'suffix.txt': 'world\n' });
    const result = await execute({ config: taskFile(BUILD), inputs: ['source=src', `tools=${path.join(dir, 'tools')}`], outputs: ['dist=out/dist'] });
    expect(result).toEqual({ status: 0, out: 'built\n', err: ON_HOST });
    expect(readFileSync(path.join(dir, 'out/dist/message.txt'), 'utf8')).toBe('hello\nworld\n');
    expect(readFileSync(path.join(dir, 'src/greeting.txt'), 'utf8')).toBe('hello\n');
  });

  it('exits with the task\'s exit status and streams stderr', async () => {
    const result = await execute({ config: taskFile('platform: linux\nrun: {path: sh, args: [-c, "echo oops >&2; exit 7"]}\n') });
    expect(result).toEqual({ status: 7, out: '', err: `${ON_HOST}oops\n` });
  });

  it('uses the current directory for the only input when -i does not name it', async () => {
    writeFileSync(path.join(dir, 'marker'), 'here\n');
    const result = await execute({ config: taskFile('platform: linux\ninputs: [{name: repo}]\nrun: {path: cat, args: [repo/marker]}\n') });
    expect(result).toEqual({ status: 0, out: 'here\n', err: ON_HOST });
  });

  it('gives the task the host PATH and HOME, its params and the vars, nothing else', async () => {
    const result = await execute({
      config: taskFile('platform: linux\nparams: {TARGET: ((target)), RETRIES: 3}\nrun: {path: env}\n'),
      varFlags: [{ kind: 'string', text: 'target=staging' }],
    });
    expect(result.status).toBe(0);
    expect(result.out.trim().split('\n').sort()).toEqual([`HOME=${hostEnv.HOME}`, `PATH=${hostEnv.PATH}`, 'RETRIES=3', 'TARGET=staging']);
  });

  it('says once that a task without an image runs on this host', async () => {
    const result = await execute({ config: taskFile('platform: linux\nrun: {path: "true"}\n') });
    expect(result.status).toBe(0);
    expect(result.err).toBe(ON_HOST);
  });

  it('exits 2 and prints the problems of an invalid task file as validate does', async () => {
    const file = taskFile('platform: linux\nrun: {path: "true"}\ninptus: []\n');
    const result = await execute({ config: file });
    expect(result.status).toBe(2);
    expect(result.err).toContain(`${file}:3:1: error unknown-key:`);
    expect(result.err).toContain('  3 | inptus: []\n');
  });

  it('exits 2 when a var is missing', async () => {
    const result = await execute({ config: taskFile('platform: linux\nrun: {path: ((program))}\n') });
    expect(result.status).toBe(2);
    expect(result.err).toContain('error var-undefined');
  });

  it('exits 2 when the program does not exist', async () => {
    const result = await execute({ config: taskFile('platform: linux\nrun: {path: no-such-program-anywhere}\n') });
    expect(result.status).toBe(2);
    expect(result.err).toContain('error task-executable-not-found');
    expect(result.err).toContain('hint:');
  });

  it.each([
    ['a required input is not given', { inputs: ['source=src'] }, 'execute-input-missing'],
    ['-i names no input of the task', { inputs: ['source=src', 'tools=src', 'extra=src'] }, 'execute-input-unknown'],
    ['-o names no output of the task', { inputs: ['source=src', 'tools=src'], outputs: ['dsit=out'] }, 'execute-output-unknown'],
    ['an input directory does not exist', { inputs: ['source=src', 'tools=nowhere'] }, 'execute-input-not-directory'],
    ['-i is not name=dir', { inputs: ['source'] }, 'execute-flag-invalid'],
    ['--timeout is not a duration', { inputs: ['source=src', 'tools=src'], timeout: 'soon' }, 'execute-timeout-invalid'],
  ] as Array<[string, Partial<ExecuteOptions>, string]>)('exits 2 when %s', async (_what, options, code) => {
    directory('src', { 'greeting.txt': 'hello\n' });
    const result = await execute({ config: taskFile(BUILD), ...options });
    expect(result.status).toBe(2);
    expect(result.err).toContain(`error ${code}:`);
    expect(readdirSync(path.join(dir, 'src'))).toEqual(['greeting.txt']);
  });

  it('stops a task that runs past --timeout and exits 1', async () => {
    const result = await execute({ config: taskFile('platform: linux\nrun: {path: sh, args: [-c, "echo started; exec sleep 100"]}\n'), timeout: '300ms' });
    expect(result.status).toBe(1);
    expect(result.out).toBe('started\n');
    expect(result.err).toContain('--timeout 300ms');
  });
});
