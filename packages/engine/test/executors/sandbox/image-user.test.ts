import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseImageMetadata } from '../../../src/executors/sandbox/image-directory.js';
import { resolveImageUser } from '../../../src/executors/sandbox/image-user.js';

const root = mkdtempSync(join(tmpdir(), 'weir-image-user-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rootfs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'rootfs-'));
  mkdirSync(join(dir, 'etc'));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

describe('resolveImageUser', () => {
  const image = rootfs({
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nbuilder:x:1000:1001:builder:/home/builder:/bin/sh\n',
    'etc/group': 'root:x:0:\nstaff:x:50:\n',
  });

  it.each([
    ['', { uid: 0, gid: 0, home: '/root' }],
    ['builder', { uid: 1000, gid: 1001, home: '/home/builder' }],
    ['1000', { uid: 1000, gid: 1001, home: '/home/builder' }],
    ['4242', { uid: 4242, gid: 4242, home: '/' }],
    ['builder:staff', { uid: 1000, gid: 50, home: '/home/builder' }],
    ['4242:7', { uid: 4242, gid: 7, home: '/' }],
  ])('user %j', async (spec, expected) => {
    expect(await resolveImageUser(image, spec, 'task t')).toEqual(expected);
  });

  it('names a user or group the image does not have', async () => {
    await expect(resolveImageUser(image, 'ghost', 'task t')).rejects.toMatchObject({ code: 'task-user-unknown', location: 'task t' });
    await expect(resolveImageUser(image, 'builder:ghosts', 'task t')).rejects.toMatchObject({ code: 'task-group-unknown' });
  });

  it('does not follow an image\'s /etc/passwd out of the image', async () => {
    const outside = join(root, 'host-passwd');
    writeFileSync(outside, 'intruder:x:7:7::/:/bin/sh\n');
    const hostile = rootfs({});
    symlinkSync(outside, join(hostile, 'etc/passwd'));
    await expect(resolveImageUser(hostile, 'intruder', 'task t')).rejects.toMatchObject({ code: 'task-user-unknown' });
  });
});

describe('parseImageMetadata', () => {
  it('reads env, user and working_dir as registry-image writes them', () => {
    expect(parseImageMetadata('{"env":["PATH=/usr/bin","EMPTY=","A=b=c"],"user":"app","working_dir":"/src","entrypoint":null}', 'x')).toEqual({
      env: { PATH: '/usr/bin', EMPTY: '', A: 'b=c' },
      user: 'app',
      workingDir: '/src',
    });
  });

  it.each(['not json', '[]', '{"env":"PATH=/bin"}', '{"user":0}'])('refuses %j', (text) => {
    expect(() => parseImageMetadata(text, 'image artifact app-image')).toThrow(expect.objectContaining({ code: 'image-metadata-invalid' }));
  });
});
