import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface WeirProcess {
  child: ChildProcess;
  url: string;
  token: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** POSTs to the API with the token; throws on a non-2xx answer. */
  post(path: string, body?: unknown): Promise<unknown>;
  get(path: string): Promise<unknown>;
}

/** The node arguments that run the weir command from the sources. */
function weirArgv(args: readonly string[]): string[] {
  return ['--import', 'tsx', '--conditions=weir-source', join(REPO, 'packages/cli/src/main.ts'), ...args];
}

/**
 * Runs the weir command as a user types it, in its own process, without colors; resolves with
 * its exit status and output. Killed after 90 s so a hung command fails the test. `input` is
 * its stdin (else /dev/null).
 */
export function runWeir(args: string[], env: Record<string, string>, input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, weirArgv(args), { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Starts `weir up` as a real process (from the sources) and waits until its API answers. With
 * `--allow-host-tasks` unless `allowHostTasks: false`: most tests' tasks have no image, as the
 * README's first command runs the examples.
 */
export async function startWeirUp(args: string[], options: { timeoutMs?: number; allowHostTasks?: boolean } = {}): Promise<WeirProcess> {
  const hostTasks = options.allowHostTasks === false ? [] : ['--allow-host-tasks'];
  const child = spawn(process.execPath, weirArgv(['up', '--port', '0', '--log-level', 'warn', ...hostTasks, ...args]), {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let url: string | undefined;
  while (!url) {
    if (child.exitCode !== null) throw new Error(`weir up exited with ${child.exitCode}:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`weir up did not start in time:\n${stderr}`);
    }
    url = /weir is up at (http:\/\/\S+)/.exec(stderr)?.[1];
    if (!url) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const dataDir = args[args.indexOf('--data') + 1]!;
  const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
  const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    child,
    url,
    token,
    stderr: () => stderr,
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
  };
}

/** Sends a signal and waits for the process to exit; returns its exit code (null if killed). */
export async function stopWeir(weir: WeirProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (weir.child.exitCode !== null || weir.child.signalCode !== null) return weir.child.exitCode;
  const exited = once(weir.child, 'exit');
  weir.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}
