import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLayer } from '../../src/registry-image/rootfs.js';
import { tempDirs } from './support/fixtures.js';

describe('applyLayer and the abort signal', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  /** An uncompressed layer with one large file: unpacking it takes long enough to stop midway. */
  async function largeLayer(): Promise<string> {
    const content = dirs.make();
    await mkdir(join(content, 'data'));
    await writeFile(join(content, 'data', 'large'), Buffer.alloc(64 << 20, 1));
    const layer = join(dirs.make(), 'layer.tar');
    await tar.c({ file: layer, cwd: content }, ['data']);
    return layer;
  }

  it('unpacks nothing once the signal has fired', async () => {
    const layer = await largeLayer();
    const rootfs = dirs.make();
    const controller = new AbortController();
    controller.abort();
    await expect(applyLayer(rootfs, layer, 'layer 1', () => {}, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(rootfs)).toEqual([]);
  });

  it('stops a running extraction when the signal fires', async () => {
    const layer = await largeLayer();
    const rootfs = dirs.make();
    const controller = new AbortController();
    const applied = applyLayer(rootfs, layer, 'layer 1', () => {}, controller.signal);
    const started = setInterval(() => {
      if (existsSync(join(rootfs, 'data', 'large'))) controller.abort();
    }, 1);
    try {
      await expect(applied).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      clearInterval(started);
    }
  }, 30_000);
});
