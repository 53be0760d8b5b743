import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob, segmentPattern } from '../../src/registry-image/image-glob.js';
import { tempDirs } from './support/fixtures.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('segmentPattern', () => {
  it.each([
    ['image.tar', 'image.tar', undefined],
    ['*.tar', 'image.tar', true],
    ['*.tar', 'image.tar.gz', false],
    ['*', '.hidden', true],
    ['image-?.tar', 'image-1.tar', true],
    ['image-?.tar', 'image-10.tar', false],
    ['image-[0-9].tar', 'image-7.tar', true],
    ['image-[^0-9].tar', 'image-7.tar', false],
    ['image-[!0-9].tar', 'image-x.tar', true],
    ['\\*.tar', '*.tar', true],
    ['\\*.tar', 'a.tar', false],
    ['a.b', 'axb', undefined],
  ])('%s against %s', (segment, name, matches) => {
    const pattern = segmentPattern(segment);
    expect(pattern === undefined ? undefined : pattern.test(name)).toBe(matches);
  });

  it('rejects an unclosed class', () => {
    expect(() => segmentPattern('image-[0-9.tar')).toThrow(expect.objectContaining({ code: 'registry-image-invalid-image-glob' }));
  });
});

describe('expandGlob', () => {
  it('matches per path segment under the work dir', async () => {
    const work = dirs.make();
    mkdirSync(join(work, 'build-1/image'), { recursive: true });
    mkdirSync(join(work, 'build-2/image'), { recursive: true });
    writeFileSync(join(work, 'build-1/image/image.tar'), '');
    writeFileSync(join(work, 'build-2/image/other.tar'), '');
    expect(await expandGlob(work, 'build-*/image/*.tar')).toEqual(['build-1/image/image.tar', 'build-2/image/other.tar']);
    expect(await expandGlob(work, './build-1/image/image.tar')).toEqual(['build-1/image/image.tar']);
    expect(await expandGlob(work, 'build-1/image')).toEqual(['build-1/image']);
    expect(await expandGlob(work, 'missing/*.tar')).toEqual([]);
  });

  it('refuses to leave the work dir', async () => {
    await expect(expandGlob(dirs.make(), '../etc/*')).rejects.toMatchObject({ code: 'registry-image-image-outside' });
    await expect(expandGlob(dirs.make(), '/etc/passwd')).rejects.toMatchObject({ code: 'registry-image-image-outside' });
  });
});
