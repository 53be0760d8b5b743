import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCommand, type ExecuteOptions } from '../src/commands/run-execute.js';
import { freshType, pushWithType } from '../../resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../resources/test/registry-image/support/registry.js';
import { requireTools } from '../../resources/test/registry-image/support/tools.js';
import { busyboxLayer, requireSandbox, writeBusyboxImage } from '../../engine/test/support/sandbox-images.js';

// Fails under CI=true when docker-registry, bubblewrap or busybox-static is missing.
const sandbox = requireSandbox();
const available = sandbox && requireTools(['docker-registry']);

async function executeIn(dir: string, options: Partial<ExecuteOptions> & { config: string }): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await executeCommand(
    { inputs: [], outputs: [], varFlags: [], cwd: dir, imageCache: path.join(dir, 'images'), ...options },
    { out: (t) => (out += t), err: (t) => (err += t), color: false, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/someone' } },
  );
  return { status, out, err };
}

describe.skipIf(!sandbox)('weir execute --image', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'weir-execute-image-input-'));
    writeBusyboxImage(path.join(dir, 'img'), { files: { 'etc/only-in-image': 'from the artifact\n' }, env: ['PATH=/bin', 'FROM_IMAGE=yes'] });
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src/greeting.txt'), 'hello\n');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const task = (file: string, text: string): string => {
    writeFileSync(path.join(dir, file), text);
    return path.join(dir, file);
  };

  it('runs the task in the image artifact an -i input holds, over its image_resource, without placing the image among its inputs', async () => {
    // The image_resource names a registry nobody runs: --image must win without it being asked.
    const config = task(
      'task.yml',
      'platform: linux\nimage_resource: {type: registry-image, source: {repository: 127.0.0.1:9/none}}\ninputs: [{name: source}]\nrun: {path: sh, args: [-ec, "cat /etc/only-in-image; echo $FROM_IMAGE; cat source/greeting.txt; ls"]}\n',
    );
    const result = await executeIn(dir, { config, inputs: ['source=src', 'img=img'], image: 'img' });
    expect(result.err).not.toContain('error');
    expect(result.out).toBe('from the artifact\nyes\nhello\nsource\n');
    expect(result.status).toBe(0);
    expect(result.err).toContain('weir execute: the task runs in its image, in a sandbox');
  });

  it('exits 2 when --image names no -i input, or an input without rootfs/', async () => {
    const config = task('plain.yml', 'platform: linux\nrun: {path: "true"}\n');
    const missing = await executeIn(dir, { config, image: 'img' });
    expect(missing.status).toBe(2);
    expect(missing.err).toContain('error execute-image-input-missing');

    const notImage = await executeIn(dir, { config, inputs: ['img=src'], image: 'img' });
    expect(notImage.status).toBe(2);
    expect(notImage.err).toContain('error image-rootfs-missing');
  });

  it('refuses a rootfs_uri it cannot run instead of running the task on the host', async () => {
    const config = task('raw.yml', 'platform: linux\nrootfs_uri: raw:///var/vcap/rootfs\nrun: {path: sh, args: [-c, "echo ran"]}\n');
    const result = await executeIn(dir, { config });
    expect(result.status).toBe(2);
    expect(result.err).toContain('error task-rootfs-uri-unsupported');
    expect(result.out).toBe('');
    // The artifact named with --image takes precedence, as the step's image: does in a pipeline.
    const overridden = await executeIn(dir, { config, inputs: ['img=img'], image: 'img' });
    expect(overridden.out).toBe('ran\n');
    expect(overridden.status).toBe(0);
  });
});

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

  const execute = (options: Partial<ExecuteOptions> & { config: string }) => executeIn(dir, options);

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

  it('runs a task whose rootfs_uri is docker://registry/repository#tag in that image', async () => {
    const file = path.join(dir, 'rootfs-uri.yml');
    // A loopback registry is spoken to over plain HTTP, as Docker and Garden do.
    writeFileSync(file, `platform: linux\nrootfs_uri: docker://${registry.host}/tools/busybox#stable\nrun: {path: cat, args: [/etc/only-in-image]}\n`);
    const result = await execute({ config: file });
    expect(result.out).toBe('from the image\n');
    expect(result.status).toBe(0);
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
