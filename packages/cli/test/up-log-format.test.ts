import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseLogFormat } from '../src/log-format.js';
import { weir } from './support/run-weir.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `weir up` in its own process with stdout piped (not a terminal), until its log has said
 * the pipeline was created; then stops it and returns what it wrote to stdout.
 */
async function upLog(extraArgs: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-up-log-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'hello.yml'), 'resources:\n- name: m\n  type: mock\n  check_every: never\n  source: {}\njobs:\n- name: j\n  plan:\n  - get: m\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=weir-source', MAIN, 'up', '--data', join(dir, 'data'), '--port', '0', '--pipelines', dir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    for (let waited = 0; !/weir is up at/.test(stderr); waited += 50) {
      if (child.exitCode !== null || waited > 60_000) throw new Error(`weir up did not start:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return stdout;
}

describe('weir up log lines', () => {
  it('are human lines on a terminal and JSON when redirected, unless --log-format says otherwise', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('are JSON, one object a line, when stdout is not a terminal', async () => {
    const lines = (await upLog([])).trim().split('\n');
    const created = lines.map((line) => JSON.parse(line) as { level: number; msg: string; pipeline?: string }).find((entry) => entry.msg === 'pipeline created');
    expect(created).toMatchObject({ level: 30, pipeline: 'hello' });
  });

  it('are one readable line each with --log-format pretty', async () => {
    const stdout = await upLog(['--log-format', 'pretty']);
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: pipeline created \{"pipeline":"hello","file":".*hello\.yml","configVersion":1\}$/m);
    expect(stdout.split('\n').some((line) => line.startsWith('{'))).toBe(false);
  });

  it('refuses a format it does not know', async () => {
    const run = await weir(['up', '--port', '0', '--log-format', 'xml']);
    expect(run.status).toBe(1);
    expect(run.err).toContain('--log-format xml is not a log format');
    expect(run.err).toContain('json, pretty');
  });
});
