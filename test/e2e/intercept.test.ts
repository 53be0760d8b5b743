import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshType, pushWithType } from '../../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../packages/resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { processesWith } from '../../packages/engine/test/support/processes.js';
import { busyboxLayer, requireSandbox } from '../../packages/engine/test/support/sandbox-images.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const available = requireTools(['docker-registry', 'nsenter', 'script']) && requireSandbox();

/** Unique, so the test can tell the running task's processes. */
const SLEEP_MARK = '3232';
/** Unique, so the test can tell the processes of the sessions it leaves running when it kills the engine. */
const SESSION_MARKS = { terminal: '343401', pipes: '343402' };

function pipeline(registry: string): string {
  const image = `
      image_resource:
        type: registry-image
        source: {repository: ${registry}/e2e/busybox, tag: latest, insecure: true}`;
  return `
jobs:
- name: fails
  plan:
  - task: break
    config:
      platform: linux${image}
      outputs: [{name: out}]
      params: {STAGE: broken}
      run: {path: sh, args: [-c, 'echo "failing state of $STAGE" > out/state; exit 3']}
- name: sleeps
  plan:
  - task: wait
    config:
      platform: linux${image}
      run: {path: sh, args: [-c, 'echo running-state > running.txt; echo in-tmp > /tmp/scratch; sleep ${SLEEP_MARK}']}
- name: two
  plan:
  - task: first
    config:
      platform: linux${image}
      run: {path: 'true'}
  - task: second
    config:
      platform: linux${image}
      run: {path: 'false'}
`;
}

async function waitFor<T>(find: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!available)('weir intercept (weir up and the CLI)', () => {
  let registry: RunningRegistry;
  let root: string;
  let dataDir: string;
  let pipelinesDir: string;
  const engines: WeirProcess[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    root = mkdtempSync(join(tmpdir(), 'weir-e2e-intercept-'));
    dataDir = join(root, 'data');
    pipelinesDir = join(root, 'pipelines');
    mkdirSync(pipelinesDir);
    const layers = [busyboxLayer({ files: { 'etc/image-marker': 'inside the busybox image\n' } })];
    await pushWithType(freshType(), { repository: `${registry.host}/e2e/busybox`, tag: 'latest', insecure: true }, await buildImage({ layers, env: ['PATH=/bin'] }));
    writeFileSync(join(pipelinesDir, 'icpt.yml'), pipeline(registry.host));
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await stopWeir(engine, 'SIGKILL');
  });
  afterAll(async () => {
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function up(extra: string[] = []) {
    const engine = await startWeirUp(['--data', dataDir, '--pipelines', pipelinesDir, ...extra], { allowHostTasks: false });
    engines.push(engine);
    const env = { WEIR_URL: engine.url, WEIR_DATA: dataDir };
    await runWeir(['unpause-pipeline', '-p', 'icpt'], env);
    return { engine, weir: (args: string[], input?: string) => runWeir(args, env, input) };
  }

  const kept = () => (existsSync(join(dataDir, 'kept-containers')) ? readdirSync(join(dataDir, 'kept-containers')).filter((name) => !name.endsWith('.json')) : []);

  it('enters a failed task\'s container: its files, image, env and exit code; kept across a restart, replaced by the job\'s next build, and gone past its time', async () => {
    const first = await up();
    const run = await first.weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    expect(run.status, run.stdout + run.stderr).toBe(1);

    const look = await first.weir(['intercept', '-j', 'icpt/fails', '--', 'sh', '-c', 'cat out/state /etc/image-marker; echo "stage=$STAGE"; pwd']);
    expect(look.stderr).toBe('');
    expect(look.status).toBe(0);
    expect(look.stdout).toContain('failing state of broken');
    expect(look.stdout).toContain('inside the busybox image');
    expect(look.stdout).toContain('stage=broken');
    expect(look.stdout).toMatch(/^\/tmp\/build\/[0-9a-f]+$/m);

    const status = await first.weir(['intercept', '-j', 'icpt/fails', '-b', '1', '-s', 'break', '--', 'sh', '-c', 'echo to-stderr >&2; exit 7']);
    expect(status.status).toBe(7);
    expect(status.stderr).toBe('to-stderr\n');

    const typed = await first.weir(['intercept', '-j', 'icpt/fails', '--', 'sh', '-c', 'cat > out/typed; cat out/typed'], 'typed through stdin\n');
    expect(typed.stdout).toBe('typed through stdin\n');

    // Kept across a restart, and the files the user changed are still there.
    await stopWeir(first.engine, 'SIGTERM');
    const second = await up();
    const again = await second.weir(['intercept', '-j', 'icpt/fails', '--', 'cat', 'out/typed']);
    expect(again.stdout + again.stderr).toBe('typed through stdin\n');
    expect(kept()).toEqual(['1']);

    // The job's next build replaces it.
    await second.weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    expect(kept()).toEqual(['2']);
    const old = await second.weir(['intercept', '-j', 'icpt/fails', '-b', '1', '--', 'true']);
    expect(old.status).toBe(1);
    expect(old.stderr).toMatch(/no task container matches/);

    // Past --keep-failed-containers-for, the next start removes it.
    await stopWeir(second.engine, 'SIGTERM');
    const third = await up(['--keep-failed-containers-for', '1ms']);
    await waitFor(async () => (kept().length === 0 ? true : undefined), 'the kept container to be removed');
    const none = await third.weir(['intercept', '-j', 'icpt/fails', '--', 'true']);
    expect(none.stderr).toMatch(/no task container matches/);
  }, 300_000);

  it('enters a running task\'s sandbox: it sees the task\'s files, /tmp and processes', async () => {
    const { weir } = await up();
    await weir(['trigger-job', '-j', 'icpt/sleeps']);
    let last = '';
    const look = await waitFor(async () => {
      const result = await weir(['intercept', '-j', 'icpt/sleeps', '--', 'sh', '-c', 'cat running.txt /tmp/scratch; ps']);
      last = result.stdout + result.stderr;
      return result.status === 0 ? result : undefined;
    }, 'the running task to be intercepted').catch((error: Error) => {
      throw new Error(`${error.message}; it last answered: ${last}`);
    });
    expect(look.stdout).toContain('running-state');
    expect(look.stdout).toContain('in-tmp');
    expect(look.stdout).toContain(`sleep ${SLEEP_MARK}`);
    const abort = await weir(['abort-build', '-j', 'icpt/sleeps', '-b', '1']);
    expect(abort.status, abort.stderr).toBe(0);
  }, 180_000);

  it('asks which container when several match, and refuses without a terminal', async () => {
    const { weir } = await up(['--keep-failed-containers', '1']);
    const run = await weir(['trigger-job', '-j', 'icpt/two', '-w']);
    expect(run.status).toBe(1);
    const both = await weir(['intercept', '-j', 'icpt/two', '--', 'true']);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/2 task containers match/);
    expect(both.stderr).toMatch(/step first/);
    expect(both.stderr).toMatch(/step second/);
    expect((await weir(['intercept', '-j', 'icpt/two', '-s', 'second', '--', 'true'])).status).toBe(0);
    // --keep-failed-containers 1: another job's failed build pushes this one out.
    await weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    const gone = await weir(['intercept', '-j', 'icpt/two', '-s', 'second', '--', 'true']);
    expect(gone.stderr).toMatch(/no task container matches/);
  }, 180_000);

  /** `weir intercept ARGS` at a terminal: util-linux's script runs it on a pseudo-terminal, as a user's shell would. */
  function interceptAtTerminal(engine: WeirProcess, args: string[]) {
    const cli = ['--import', 'tsx', '--conditions=weir-source', join(REPO, 'packages/cli/src/main.ts'), 'intercept', ...args];
    const line = [process.execPath, ...cli].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['--quiet', '--return', '--command', line, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', WEIR_URL: engine.url, WEIR_DATA: dataDir, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const waitForOutput = (pattern: RegExp, what: string) =>
      waitFor(async () => (pattern.test(output) ? true : undefined), what).catch((error: Error) => {
        child.kill('SIGKILL');
        throw new Error(`${error.message}; weir printed: ${JSON.stringify(output)}`);
      });
    /** Resizes weir's terminal as a window manager does: TIOCSWINSZ, and the kernel signals weir. */
    const resize = async (rows: number, cols: number) => {
      const [weirPid] = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ');
      const terminal = readlinkSync(`/proc/${weirPid}/fd/0`);
      expect(spawnSync('stty', ['-F', terminal, 'rows', String(rows), 'cols', String(cols)]).status).toBe(0);
    };
    return { child, output: () => output, exited, waitForOutput, resize };
  }

  it('gives the command a terminal when weir runs at one', async () => {
    const { engine, weir } = await up();
    await weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    const session = interceptAtTerminal(engine, ['-j', 'icpt/fails', '--', 'sh']);
    await session.waitForOutput(/#|\$/, 'the shell\'s prompt');
    session.child.stdin.write('tty; stty size; cat out/state; exit 5\r');
    expect(await session.exited).toBe(5);
    // bubblewrap shows the terminal it was given as /dev/console; without one, tty says "not a tty".
    expect(session.output()).toMatch(/^\/dev\/(console|pts\/\d+)\r?$/m);
    expect(session.output()).toMatch(/^24 80\r?$/m);
    expect(session.output()).toContain('failing state of broken');
  }, 180_000);

  it('gives the command\'s terminal the window\'s new size, and the program in front a SIGWINCH, in an ended and in a running task', async () => {
    const { engine, weir } = await up();
    await weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    // The program in the terminal's foreground says the size it is given when told the window changed.
    const waiter = ['sh', '-c', 'trap "stty size; exit 7" WINCH; echo waiting-for-winch; while :; do sleep 1; done'];
    const ended = interceptAtTerminal(engine, ['-j', 'icpt/fails', '--', ...waiter]);
    await ended.waitForOutput(/waiting-for-winch/, 'the program to start');
    await ended.resize(40, 100);
    await ended.waitForOutput(/^40 100\r?$/m, 'the program to see the new size');
    expect(await ended.exited).toBe(7);

    await weir(['trigger-job', '-j', 'icpt/sleeps']);
    await waitFor(async () => ((await weir(['intercept', '-j', 'icpt/sleeps', '--', 'cat', 'running.txt'])).stdout.includes('running-state') ? true : undefined), 'the task to run');
    const running = interceptAtTerminal(engine, ['-j', 'icpt/sleeps', '--', ...waiter]);
    await running.waitForOutput(/waiting-for-winch/, 'the program to start');
    await running.resize(33, 120);
    await running.waitForOutput(/^33 120\r?$/m, 'the program to see the new size');
    expect(await running.exited).toBe(7);
    await weir(['abort-build', '-j', 'icpt/sleeps']);
  }, 180_000);

  it('leaves nothing of a session running after the engine is killed with SIGKILL, at a terminal or not', async () => {
    const { engine, weir } = await up();
    await weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    const atTerminal = interceptAtTerminal(engine, ['-j', 'icpt/fails', '--', 'sh', '-c', `echo session-started; sleep ${SESSION_MARKS.terminal}`]);
    await atTerminal.waitForOutput(/session-started/, 'the session at a terminal to start');
    const withPipes = weir(['intercept', '-j', 'icpt/fails', '--', 'sleep', SESSION_MARKS.pipes]);
    const sleeping = () => Object.values(SESSION_MARKS).every((mark) => processesWith(`sleep ${mark}`, { exact: true }).length === 1);
    await waitFor(async () => (sleeping() ? true : undefined), 'the sessions\' sleep processes');
    // The engine registers a session's process group as soon as it has spawned it, before the sandbox's program runs.

    await stopWeir(engine, 'SIGKILL');
    // The sessions' script, bubblewrap and sleep processes, and the CLIs and the test's terminal, whose arguments hold the marks.
    const left = () => Object.values(SESSION_MARKS).flatMap((mark) => processesWith(`sleep ${mark}`));
    await waitFor(async () => (left().length === 0 ? true : undefined), 'the sessions\' processes to end with the engine', 10_000).catch((error: Error) => {
      const found: string[] = [];
      for (const pid of left()) {
        try {
          found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      throw new Error(`${error.message}; still running: ${found.join('; ')}`);
    });
    expect((await withPipes).status).not.toBe(0);
    await atTerminal.exited;
  }, 180_000);

  it('refuses callers without the token, and sessions without a granted ticket', async () => {
    const { engine, weir } = await up();
    await weir(['trigger-job', '-j', 'icpt/fails', '-w']);
    const list = await fetch(`${engine.url}/api/v1/containers`);
    expect(list.status).toBe(401);
    const [container] = (await engine.get('/containers')) as Array<{ build_id: number; name: string }>;
    const path = `/api/v1/builds/${container!.build_id}/containers/${container!.name}/intercept`;
    const withoutToken = await fetch(`${engine.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ argv: ['id'] }) });
    expect(withoutToken.status).toBe(401);
    const wrongName = await fetch(`${engine.url}/api/v1/builds/${container!.build_id}/containers/..%2F..%2Ftoken/intercept`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ argv: ['id'] }),
    });
    expect(wrongName.status).toBe(404);
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${engine.url.replace('http', 'ws')}/api/v1/intercept-sessions/not-a-ticket`);
      ws.on('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
      ws.on('error', (error) => resolve(error.message));
      ws.on('open', () => resolve('opened'));
    });
    expect(refused).toBe('404');
  }, 120_000);
});
