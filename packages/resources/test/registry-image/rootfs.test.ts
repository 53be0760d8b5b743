import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { ResourceError } from '../../src/interface.js';
import { applyLayer } from '../../src/registry-image/rootfs.js';
import { tempDirs } from './support/fixtures.js';
import { layerTarGz, type LayerEntry } from './support/images.js';

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
    await expect(applyLayer({ rootfs, trash: `${rootfs}.trash` }, createReadStream(layer), 'layer 1', () => {}, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(rootfs)).toEqual([]);
  });

  it('stops a running extraction when the signal fires', async () => {
    const layer = await largeLayer();
    const rootfs = dirs.make();
    const controller = new AbortController();
    const applied = applyLayer({ rootfs, trash: `${rootfs}.trash` }, createReadStream(layer), 'layer 1', () => {}, controller.signal);
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

describe('applyLayer on a streamed layer', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  async function applyAll(layers: LayerEntry[][]): Promise<string> {
    const rootfs = join(dirs.make(), 'rootfs');
    await mkdir(rootfs);
    for (const [index, entries] of layers.entries()) {
      await applyLayer({ rootfs, trash: `${rootfs}.trash` }, Readable.from([await layerTarGz(entries)]), `layer ${index + 1}`, () => {}, new AbortController().signal);
    }
    return rootfs;
  }

  it('applies whiteouts to lower layers only, wherever in the tar they come', async () => {
    const rootfs = await applyAll([
      [
        { path: 'etc/a', file: 'a' },
        { path: 'etc/b', file: 'b' },
        { path: 'usr/share/doc/x', file: 'x' },
        { path: 'usr/share/doc/y/readme', file: 'y' },
        { path: 'opt/dir/f', file: 'f' },
        { path: 'var/lib/keep/k', file: 'k' },
        { path: 'var/lib/old', file: 'old' },
        { path: 'usr/lib/libx', file: 'lib' },
        { path: 'lib', symlink: 'usr/lib' },
        { path: 'again', file: 'lower' },
      ],
      [
        // Added before the whiteout of its own directory: the whiteout removes the lower doc/ only.
        { path: 'usr/share/doc/z', file: 'z' },
        { path: 'usr/share/.wh.doc', file: '' },
        { path: 'etc/.wh.a', file: '' },
        { path: 'opt/dir', file: 'now a file' },
        { path: 'var/lib/new', file: 'new' },
        { path: 'var/lib/.wh..wh..opq', file: '' },
        // Through a lower layer's symlink: what the link points at stays.
        { path: 'lib/.wh.libx', file: '' },
        // Deleted and made again in one layer.
        { path: '.wh.again', file: '' },
        { path: 'again', file: 'upper' },
      ],
      [
        { path: 'etc/.wh.b', file: '' },
        { path: 'usr/share/doc/.wh.z', file: '' },
      ],
    ]);
    expect(readdirSync(join(rootfs, 'etc'))).toEqual([]);
    expect(readdirSync(join(rootfs, 'usr/share/doc'))).toEqual([]);
    expect(readFileSync(join(rootfs, 'opt/dir'), 'utf8')).toBe('now a file');
    expect(readdirSync(join(rootfs, 'var/lib'))).toEqual(['new']);
    expect(readFileSync(join(rootfs, 'usr/lib/libx'), 'utf8')).toBe('lib');
    expect(readFileSync(join(rootfs, 'again'), 'utf8')).toBe('upper');
    expect(existsSync(`${rootfs}.trash`)).toBe(false);
  });

  it('unpacks a gzipped layer that arrives in many small chunks byte for byte', async () => {
    const rootfs = dirs.make();
    const content = randomBytes(5 << 20);
    const layer = await layerTarGz([{ path: 'data/random', file: content }]);
    const chunks = Array.from({ length: Math.ceil(layer.length / 65_536) }, (_, i) => layer.subarray(i * 65_536, (i + 1) * 65_536));
    await applyLayer({ rootfs, trash: `${rootfs}.trash` }, Readable.from(chunks), 'layer 1', () => {}, new AbortController().signal);
    expect(readFileSync(join(rootfs, 'data/random')).equals(content)).toBe(true);
  });

  it('reports the blob\'s own error (a digest mismatch at its end) rather than what unpacking made of the bytes', async () => {
    const rootfs = dirs.make();
    const mismatch = new ResourceError('registry-image-digest-mismatch', 'the blob has another digest', 'retry');
    async function* corrupted(): AsyncGenerator<Buffer> {
      yield gzipSync(Buffer.from('not a tar at all\n'.repeat(1000)));
      throw mismatch;
    }
    await expect(applyLayer({ rootfs, trash: `${rootfs}.trash` }, Readable.from(corrupted()), 'layer 1', () => {}, new AbortController().signal)).rejects.toBe(mismatch);
  });

  it('says a layer that is not a tar is the image\'s fault once all of it was read', async () => {
    const rootfs = dirs.make();
    const layer = Readable.from([gzipSync(Buffer.from('not a tar at all\n'.repeat(1000)))]);
    await expect(applyLayer({ rootfs, trash: `${rootfs}.trash` }, layer, 'layer 1', () => {}, new AbortController().signal)).rejects.toMatchObject({ code: 'registry-image-layer-corrupt' });
  });

  it('refuses a zstd layer by its magic bytes', async () => {
    const rootfs = dirs.make();
    const layer = Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])]);
    await expect(applyLayer({ rootfs, trash: `${rootfs}.trash` }, layer, 'layer 1', () => {}, new AbortController().signal)).rejects.toMatchObject({ code: 'registry-image-zstd-unsupported' });
  });
});
