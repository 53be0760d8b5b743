import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxExecutor } from '../../../src/executors/sandbox/sandbox-executor.js';
import { readImageDirectory } from '../../../src/executors/sandbox/image-directory.js';
import type { TaskImage, TaskRun } from '../../../src/executors/executor.js';
import { WeirError } from '../../../src/errors.js';
import { silentLogger } from '../../support/engine.js';
import { requireSandbox, writeBusyboxImage } from '../../support/sandbox-images.js';

const available = requireSandbox();

describe.skipIf(!available)('SandboxExecutor', () => {
  let root: string;
  let image: TaskImage;
  const executor = new SandboxExecutor({ logger: silentLogger, killGraceMs: 200 });
  let count = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'weir-sandbox-executor-'));
    const dir = writeBusyboxImage(join(root, 'image'), {
      users: ['builder:x:1000:1000::/home/builder:/bin/sh'],
      files: { 'etc/image-marker': 'image\n', 'app/bundled.txt': 'from the image\n' },
      env: ['PATH=/bin', 'FROM_IMAGE=yes', 'OVERRIDDEN=image'],
    });
    mkdirSync(join(dir, 'rootfs/home/builder'), { recursive: true });
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ env: ['PATH=/bin', 'FROM_IMAGE=yes', 'OVERRIDDEN=image'], user: 'builder', working_dir: '/app' }));
    image = { ...(await readImageDirectory(dir, 'the test image')), name: 'the test image' };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function task(script: string, fields: Partial<TaskRun> = {}): TaskRun & { lines: string[]; notices: string[] } {
    const workDir = join(root, `work-${++count}`);
    mkdirSync(workDir);
    const lines: string[] = [];
    const notices: string[] = [];
    return {
      workDir,
      inputs: [],
      outputs: [],
      caches: [],
      run: { path: 'sh', args: ['-c', script] },
      env: {},
      image,
      signal: new AbortController().signal,
      onOutput: (_stream, line) => lines.push(line),
      onNotice: (line) => notices.push(line),
      lines,
      notices,
      ...fields,
    };
  }

  it('runs in the image with its env, user and working_dir; params win over the image env', async () => {
    const input = join(root, 'input');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'data.txt'), 'input data\n');
    const run = task('cat /etc/image-marker; pwd; id -u; echo $FROM_IMAGE $OVERRIDDEN $HOME; cat bundled.txt; cat in/data.txt; echo made > out/result; touch /etc/x 2>/dev/null || echo read-only', {
      env: { OVERRIDDEN: 'param' },
      inputs: [{ name: 'in', path: 'in', source: input }],
      outputs: [{ name: 'out', path: 'out' }],
    });
    const result = await executor.runTask(run);
    expect(result.exitStatus).toBe(0);
    expect(run.lines).toEqual(['image', '/app', '1000', 'yes param /home/builder', 'from the image', 'input data', 'read-only']);
    expect(readFileSync(join(result.outputs.out!, 'result'), 'utf8')).toBe('made\n');
    expect(readFileSync(join(input, 'data.txt'), 'utf8')).toBe('input data\n');
  });

  it('binds claim directories at their paths, read-only ones unwritable, one read-write build at a time', async () => {
    const claim = join(root, 'restored-db');
    mkdirSync(claim);
    writeFileSync(join(claim, 'users.csv'), '1,ada\n');
    const writer = () => task('echo start >> db/users.csv; sleep 0.5; echo end >> db/users.csv', { claims: [{ claim, path: 'db', readOnly: false }] });
    const results = await Promise.all([executor.runTask(writer()), executor.runTask(writer())]);
    expect(results.map((result) => result.exitStatus)).toEqual([0, 0]);
    expect(readFileSync(join(claim, 'users.csv'), 'utf8')).toBe('1,ada\nstart\nend\nstart\nend\n');
    const reader = task('cat data/users.csv | head -n 1; touch data/new 2>/dev/null || echo read-only', { claims: [{ claim, path: 'data', readOnly: true }] });
    expect((await executor.runTask(reader)).exitStatus).toBe(0);
    expect(reader.lines).toEqual(['1,ada', 'read-only']);
  });

  it('takes run.user over the image user, and keeps outputs of a failing task', async () => {
    const run = task('id -u; echo partial > out/log; exit 4', { run: { path: 'sh', args: ['-c', 'id -u; echo partial > out/log; exit 4'], user: 'root' }, outputs: [{ name: 'out', path: 'out' }] });
    const result = await executor.runTask(run);
    expect(result.exitStatus).toBe(4);
    expect(run.lines).toEqual(['0']);
    expect(readFileSync(join(result.outputs.out!, 'log'), 'utf8')).toBe('partial\n');
  });

  it('sees none of the host: no other directories, only its own processes', async () => {
    const secret = join(root, 'secret');
    writeFileSync(secret, 'engine token\n');
    const run = task(`cat ${secret} 2>/dev/null || echo no-secret; ls ${root} 2>/dev/null || echo no-root; cat /proc/[0-9]*/comm | sort -u | tr '\\n' ' '`);
    await executor.runTask(run);
    expect(run.lines[0]).toBe('no-secret');
    expect(run.lines[1]).toBe('no-root');
    expect(run.lines[2]!.trim().split(' ')).not.toContain('node');
    expect(run.lines[2]).toMatch(/\bsh\b/);
  });

  it('says what it cannot honour, and errors on an unknown user or an image for another machine', async () => {
    const run = task('true', { containerLimits: { cpu: 512, memory: '1GB' } });
    await executor.runTask(run);
    expect(run.notices.join('\n')).toMatch(/container_limits \(cpu: 512, memory: 1GB\) not applied/);
    await expect(executor.runTask(task('true', { run: { path: 'true', args: [], user: 'nobody-here' } }))).rejects.toMatchObject({ code: 'task-user-unknown' });
    const arm = { ...image, config: { ...image.config, platform: { os: 'linux', architecture: 'riscv64' } } };
    await expect(executor.runTask(task('true', { image: arm }))).rejects.toSatisfy((error: unknown) => error instanceof WeirError && error.code === 'image-platform-mismatch');
  });

  it('ends every process on abort', async () => {
    const controller = new AbortController();
    const run = task('sleep 60 & sleep 60 & echo started; wait', { signal: controller.signal });
    const running = executor.runTask(run);
    for (let i = 0; i < 200 && run.lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error('aborted by test'));
    await expect(running).rejects.toThrow('aborted by test');
  });

  it('refuses an image artifact whose rootfs is a symlink to the host', async () => {
    const dir = join(root, 'hostile-image');
    mkdirSync(dir);
    symlinkSync('/', join(dir, 'rootfs'));
    await expect(readImageDirectory(dir, 'artifact "img"')).rejects.toMatchObject({ code: 'image-rootfs-symlink' });
  });
});
