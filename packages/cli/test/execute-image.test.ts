import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCommand, type ExecuteOptions } from '../src/commands/run-execute.js';
import { freshType, pushWithType } from '../../resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../resources/test/registry-image/support/registry.js';
import { requireTools } from '../../resources/test/registry-image/support/tools.js';
import { busyboxLayer, requireSandbox } from '../../engine/test/support/sandbox-images.js';

// Fails under CI=true when docker-registry, bubblewrap or busybox-static is missing.
const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('weir execute with an image_resource', () => {
  let registry: RunningRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry();
    dir = mkdtempSync(path.join(tmpdir(), 'weir-execute-image-'));
    const image = await buildImage({ layers: [busyboxLayer({ files: { 'etc/only-in-image': 'from the image\n' } })], env: ['PATH=/bin'], user: '' });
    await pushWithType(freshType(), { repository: `${registry.host}/tools/busybox`, tag: 'stable', insecure: true }, image);
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function execute(options: Partial<ExecuteOptions> & { config: string }): Promise<{ status: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const status = await executeCommand(
      { inputs: [], outputs: [], varFlags: [], cwd: dir, imageCache: path.join(dir, 'images'), ...options },
      { out: (t) => (out += t), err: (t) => (err += t), color: false, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/someone' } },
    );
    return { status, out, err };
  }

  const task = (run: string) => {
    const file = path.join(dir, 'task.yml');
    writeFileSync(
      file,
      `platform: linux
image_resource: {type: registry-image, source: {repository: ${registry.host}/tools/busybox, tag: stable, insecure: true}}
inputs: [{name: source}]
outputs: [{name: dist}]
run: {path: sh, args: [-ec, '${run}']}
`,
    );
    return file;
  };

  it('runs the task in its image, with its inputs and outputs, and fetches the image once', async () => {
    // The host has /etc/os-release (Debian); the image has only what was put in it.
    expect(existsSync('/etc/os-release')).toBe(true);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'src/greeting.txt'), 'hello\n');
    const config = task('cat /etc/only-in-image; test ! -e /etc/os-release && echo no os-release; cat source/greeting.txt > dist/copy.txt');

    const first = await execute({ config, inputs: ['source=src'], outputs: ['dist=out'] });
    expect(first.out).toBe('from the image\nno os-release\n');
    expect(first.status).toBe(0);
    expect(first.err).toContain(`weir execute: fetched registry-image ${registry.host}/tools/busybox@sha256:`);
    expect(first.err).toContain('weir execute: the task runs in its image, in a sandbox');
    expect(readFileSync(path.join(dir, 'out/copy.txt'), 'utf8')).toBe('hello\n');

    const second = await execute({ config, inputs: ['source=src'] });
    expect(second.status).toBe(0);
    expect(second.err).toContain('is in the image cache');
    expect(second.err).not.toContain('fetched');
  });

  it('exits 2 naming the image when it does not exist', async () => {
    const file = path.join(dir, 'missing.yml');
    writeFileSync(file, `platform: linux\nimage_resource: {type: registry-image, source: {repository: ${registry.host}/tools/nothing, insecure: true}}\nrun: {path: "true"}\n`);
    const result = await execute({ config: file });
    expect(result.status).toBe(2);
    expect(result.err).toContain('error image-not-found');
  });

  it('says which package to install when bubblewrap is missing', async () => {
    const previous = process.env.PATH;
    const file = path.join(dir, 'nobwrap.yml');
    writeFileSync(file, `platform: linux\nimage_resource: {type: registry-image, source: {repository: ${registry.host}/tools/busybox, insecure: true}}\nrun: {path: "true"}\n`);
    // bubblewrap is looked up on PATH: an empty directory hides it.
    process.env.PATH = path.join(dir, 'empty');
    try {
      const result = await execute({ config: file });
      expect(result.status).toBe(2);
      expect(result.err).toContain('error sandbox-unavailable');
      expect(result.err).toContain('apt-get install bubblewrap');
    } finally {
      process.env.PATH = previous;
    }
  });
});
