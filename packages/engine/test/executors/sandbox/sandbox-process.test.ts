import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxed, type SandboxCommand } from '../../../src/executors/sandbox/sandbox-process.js';
import { WeirError } from '../../../src/errors.js';
import { probeSandbox } from '../../../src/executors/sandbox/sandbox-support.js';
import { requireSandbox, writeBusyboxImage } from '../../support/sandbox-images.js';

const available = requireSandbox();

describe.skipIf(!available)('runSandboxed', () => {
  let dir: string;
  let rootfs: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weir-sandbox-process-'));
    rootfs = join(writeBusyboxImage(join(dir, 'image'), { files: { 'etc/image-marker': 'from the image\n' } }), 'rootfs');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(script: string, extra: Partial<SandboxCommand> = {}): Promise<{ exitStatus: number; stdout: string[]; stderr: string[] }> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const { exitStatus } = await runSandboxed({
      rootfs,
      argv: ['sh', '-c', script],
      env: { PATH: '/bin' },
      cwd: '/',
      signal: new AbortController().signal,
      onOutput: (stream, line) => (stream === 'stdout' ? stdout : stderr).push(line),
      ...extra,
    });
    return { exitStatus, stdout, stderr };
  }

  it('runs in the image: its files, not the host\'s, with only the environment given', async () => {
    const result = await run('cat /etc/image-marker; ls /; env | sort; echo oops >&2; exit 3', { env: { PATH: '/bin', GREETING: 'hi' } });
    expect(result.exitStatus).toBe(3);
    expect(result.stdout[0]).toBe('from the image');
    expect(result.stdout).not.toContain('work');
    expect(result.stdout).toContain('GREETING=hi');
    expect(result.stdout.some((line) => line.startsWith('HOME='))).toBe(false);
    expect(result.stderr).toEqual(['oops']);
  });

  it('keeps the image read-only and mounts host directories where asked, read-only or not', async () => {
    const shared = join(dir, 'shared');
    const readOnly = join(dir, 'read-only');
    mkdirSync(shared, { recursive: true });
    mkdirSync(readOnly, { recursive: true });
    writeFileSync(join(readOnly, 'input'), 'in\n');
    const result = await run('touch /etc/changed 2>/dev/null || echo image-read-only; cat /in/input; echo out > /work/result; touch /in/x 2>/dev/null || echo input-read-only; pwd', {
      mounts: [
        { source: shared, target: '/work' },
        { source: readOnly, target: '/in', readOnly: true },
      ],
      cwd: '/work',
    });
    expect(result.stdout).toEqual(['image-read-only', 'in', 'input-read-only', '/work']);
    expect(readFileSync(join(shared, 'result'), 'utf8')).toBe('out\n');
    expect(readdirSync(join(rootfs, 'etc'))).not.toContain('changed');
  });

  it('sees only its own processes, as the user asked for', async () => {
    const result = await run('id -u; id -g; ps -o pid,comm | tail -n +2', { uid: 1000, gid: 1001 });
    expect(result.stdout.slice(0, 2)).toEqual(['1000', '1001']);
    const processes = result.stdout.slice(2).map((line) => line.trim().split(/\s+/));
    // bubblewrap's pid 1, the shell and its pipeline: the engine and the rest of the host are not there.
    expect(processes[0]).toEqual(['1', 'bwrap']);
    expect(processes.length).toBeLessThanOrEqual(4);
    expect(processes.map(([, name]) => name)).not.toContain('node');
  });

  it('hands over stdin and collects stdout as bytes, stderr still as lines', async () => {
    const stderr: string[] = [];
    const result = await runSandboxed({
      rootfs,
      argv: ['sh', '-c', 'cat; echo progress >&2'],
      env: { PATH: '/bin' },
      cwd: '/',
      stdin: '{"source":{}}',
      collectStdout: { maxBytes: 1024 },
      signal: new AbortController().signal,
      onOutput: (_stream, line) => stderr.push(line),
    });
    expect(result.stdout?.toString()).toBe('{"source":{}}');
    expect(stderr).toEqual(['progress']);
  });

  it('errors when stdout passes the limit', async () => {
    const run = runSandboxed({ rootfs, argv: ['sh', '-c', 'yes'], env: { PATH: '/bin' }, cwd: '/', collectStdout: { maxBytes: 4096 }, signal: new AbortController().signal });
    await expect(run).rejects.toMatchObject({ code: 'sandbox-output-too-large' });
  });

  it('tells a program that cannot start from one that fails', async () => {
    const missing = runSandboxed({ rootfs, argv: ['/bin/no-such-program'], env: { PATH: '/bin' }, cwd: '/', signal: new AbortController().signal });
    await expect(missing).rejects.toBeInstanceOf(WeirError);
    await expect(missing).rejects.toMatchObject({ code: 'sandbox-start-failed' });
    const badDir = runSandboxed({ rootfs, argv: ['true'], env: { PATH: '/bin' }, cwd: '/no/such/dir', signal: new AbortController().signal });
    await expect(badDir).rejects.toMatchObject({ code: 'sandbox-start-failed' });
    expect((await run('exit 1')).exitStatus).toBe(1);
  });

  it('has only a loopback interface when the network is off', async () => {
    const off = await run('ls /sys/class/net 2>/dev/null || cat /proc/net/dev | tail -n +3 | cut -d: -f1', { network: false });
    expect(off.stdout.map((line) => line.trim())).toEqual(['lo']);
    const on = await run('cat /proc/net/dev | tail -n +3 | wc -l', { network: true });
    expect(Number(on.stdout[0])).toBeGreaterThan(1);
  });

  it('ends every process of the sandbox on abort, background ones included', async () => {
    const seconds = String(300_000 + Math.floor(Math.random() * 100_000));
    const controller = new AbortController();
    const lines: string[] = [];
    const running = runSandboxed({
      rootfs,
      argv: ['sh', '-c', `(trap '' TERM; exec sleep ${seconds}) & (exec sleep ${seconds}) & echo started; wait`],
      env: { PATH: '/bin' },
      cwd: '/',
      signal: controller.signal,
      killGraceMs: 200,
      onOutput: (_stream, line) => lines.push(line),
    });
    // `started` may come before both subshells have exec'd sleep: under load, wait for them.
    for (let i = 0; i < 500 && !(lines.includes('started') && hostProcessesRunning(['sleep', seconds]).length === 2); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hostProcessesRunning(['sleep', seconds]).length).toBe(2);
    controller.abort(new Error('stopped by the test'));
    await expect(running).rejects.toThrow('stopped by the test');
    expect(hostProcessesRunning(['sleep', seconds])).toEqual([]);
  });
});

describe.skipIf(!available)('probeSandbox', () => {
  it('finds a working bubblewrap, and names the package when there is none', async () => {
    expect(await probeSandbox()).toBeUndefined();
    const missing = await probeSandbox('/nonexistent/bwrap');
    expect(missing).toMatchObject({ code: 'sandbox-unavailable' });
    expect(missing?.hint).toContain('apt-get install bubblewrap');
  });
});

/** Host pids running exactly `argv`: what a sandbox left running on this host. */
export function hostProcessesRunning(argv: string[]): number[] {
  const wanted = argv.join('\0') + '\0';
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline === wanted) found.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}
