import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mockResourceType, ResourceError } from '../src/index.js';
import { testContext } from './support/context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-mock-'));
  dirs.push(dir);
  return dir;
}

const ctx = testContext();

describe('mock resource type', () => {
  it('checks like Concourse mock-resource: forced, else the given version, else the initial one', async () => {
    expect(await mockResourceType.check(ctx, {})).toEqual([{ version: { version: 'mock' } }]);
    expect(await mockResourceType.check(ctx, { initial_version: 'v1' })).toEqual([{ version: { version: 'v1' } }]);
    expect(await mockResourceType.check(ctx, { no_initial_version: true })).toEqual([]);
    expect(await mockResourceType.check(ctx, {}, { version: 'v3' })).toEqual([{ version: { version: 'v3' } }]);
    expect(await mockResourceType.check(ctx, { force_version: 'f' }, { version: 'v3' })).toEqual([{ version: { version: 'f' } }]);
    await expect(mockResourceType.check(ctx, { check_failure: 'boom' })).rejects.toThrow(/intentionally failing to check: boom/);
  });

  it('gets the version file and the files asked for, with metadata', async () => {
    const dir = tempDir();
    const metadata = [{ name: 'by', value: 'test' }];
    const result = await mockResourceType.get(ctx, { create_files: { 'a/b.txt': 'hello', 'c.json': { x: 1 } }, metadata }, { version: 'v2' }, { create_files_via_params: { 'd.txt': 'more' } }, dir);
    expect(result).toEqual({ version: { version: 'v2' }, metadata });
    expect(readFileSync(join(dir, 'version'), 'utf8')).toBe('v2');
    expect(readFileSync(join(dir, 'a/b.txt'), 'utf8')).toBe('hello');
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'))).toEqual({ x: 1 });
    expect(readFileSync(join(dir, 'd.txt'), 'utf8')).toBe('more');
    await expect(mockResourceType.get(ctx, { create_files: { '../escape': 'x' } }, { version: 'v' }, {}, tempDir())).rejects.toBeInstanceOf(ResourceError);
  });

  it('puts the version from params or from a file, and says what to do without one', async () => {
    const workdir = tempDir();
    expect(await mockResourceType.put(ctx, {}, { version: '1.2.3' }, workdir)).toEqual({ version: { version: '1.2.3' } });
    mkdirSync(join(workdir, 'out'));
    writeFileSync(join(workdir, 'out/version'), '2.0.0\n');
    expect(await mockResourceType.put(ctx, {}, { file: 'out/version' }, workdir)).toEqual({ version: { version: '2.0.0' } });
    await expect(mockResourceType.put(ctx, {}, { file: 'out/missing' }, workdir)).rejects.toMatchObject({ code: 'mock-version-file-unreadable' });
    await expect(mockResourceType.put(ctx, {}, {}, workdir)).rejects.toMatchObject({ code: 'mock-put-without-version', hint: expect.stringContaining('params') });
  });
});
