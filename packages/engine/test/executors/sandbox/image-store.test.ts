import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageStore, type ImageFetcher } from '../../../src/executors/sandbox/image-store.js';
import { silentLogger } from '../../support/engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-image-store-'));
  dirs.push(dir);
  return dir;
}

/** A fetcher that writes an image of about `bytes` bytes and counts its calls. */
function fakeImage(bytes: number, env = ['PATH=/bin']): ImageFetcher & { calls: number } {
  const fetcher = Object.assign(
    async (dir: string) => {
      fetcher.calls++;
      mkdirSync(join(dir, 'rootfs'));
      writeFileSync(join(dir, 'rootfs', 'payload'), Buffer.alloc(bytes, 1));
      writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ env, user: 'builder' }));
    },
    { calls: 0 },
  );
  return fetcher;
}

const signal = new AbortController().signal;
const open = (root: string, maxBytes = 1 << 30) => ImageStore.open({ root, maxBytes, logger: silentLogger });

describe('ImageStore', () => {
  it('fetches an image once, however many tasks ask for it at the same time', async () => {
    const store = await open(tempRoot());
    const fetch = fakeImage(4096, ['PATH=/bin', 'LANG=C.UTF-8']);
    const leases = await Promise.all([1, 2, 3].map(() => store.lease('sha256:aaa', fetch, { signal, what: 'test image' })));
    expect(fetch.calls).toBe(1);
    expect(leases.filter((lease) => lease.fetched)).toHaveLength(1);
    expect(new Set(leases.map((lease) => lease.rootfs)).size).toBe(1);
    expect(leases[0]!.config).toEqual({ env: { PATH: '/bin', LANG: 'C.UTF-8' }, user: 'builder' });
    expect(leases[0]!.bytes).toBeGreaterThanOrEqual(4096);
    for (const lease of leases) lease.release();
  });

  it('keeps its images across a restart and removes what a crash left half-written', async () => {
    const root = tempRoot();
    const first = await open(root);
    (await first.lease('sha256:kept', fakeImage(1024), { signal, what: 'test image' })).release();
    mkdirSync(join(root, 'staging', 'interrupted', 'image', 'rootfs'), { recursive: true });
    mkdirSync(join(root, 'entries', 'not-an-entry'), { recursive: true });

    const second = await open(root);
    const fetch = fakeImage(1024);
    const lease = await second.lease('sha256:kept', fetch, { signal, what: 'test image' });
    expect(fetch.calls).toBe(0);
    expect(lease.fetched).toBe(false);
    expect(existsSync(join(root, 'staging'))).toBe(false);
    expect(readdirSync(join(root, 'entries'))).toHaveLength(1);
    lease.release();
  });

  it('removes the least recently used images that no task holds once over its size', async () => {
    const measure = await open(tempRoot());
    const sample = await measure.lease('sha256:sample', fakeImage(8192), { signal, what: 'sample' });
    sample.release();
    const store = await open(tempRoot(), 3 * sample.bytes + 1024);
    const held = await store.lease('sha256:held', fakeImage(8192), { signal, what: 'held' });
    (await store.lease('sha256:old', fakeImage(8192), { signal, what: 'old' })).release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    (await store.lease('sha256:recent', fakeImage(8192), { signal, what: 'recent' })).release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    (await store.lease('sha256:new', fakeImage(8192), { signal, what: 'new' })).release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.list().map((entry) => entry.key).sort()).toEqual(['sha256:held', 'sha256:new', 'sha256:recent']);
    held.release();
  });

  it('keeps nothing of a fetch that failed or that left no rootfs/', async () => {
    const root = tempRoot();
    const store = await open(root);
    const failing = store.lease('sha256:bad', async () => Promise.reject(new Error('registry down')), { signal, what: 'test image' });
    await expect(failing).rejects.toThrow('registry down');
    const empty = store.lease('sha256:empty', async () => undefined, { signal, what: 'the image of task test' });
    await expect(empty).rejects.toMatchObject({ code: 'image-rootfs-missing', message: 'the image of task test has no rootfs/ directory' });
    expect(store.list()).toEqual([]);
    expect(readdirSync(join(root, 'staging'))).toEqual([]);
  });

  it('lets a waiter fetch anew when the fetch it shared was aborted by its starter', async () => {
    const store = await open(tempRoot());
    const starter = new AbortController();
    let started!: () => void;
    const fetchStarted = new Promise<void>((resolve) => (started = resolve));
    const slow: ImageFetcher = (_dir, fetchSignal) =>
      new Promise((_resolve, reject) => {
        fetchSignal.addEventListener('abort', () => reject(fetchSignal.reason), { once: true });
        started();
      });
    const first = store.lease('sha256:shared', slow, { signal: starter.signal, what: 'test image' });
    const fetch = fakeImage(1024);
    const second = store.lease('sha256:shared', fetch, { signal, what: 'test image' });
    await fetchStarted;
    starter.abort(new Error('build aborted'));
    await expect(first).rejects.toThrow('build aborted');
    const lease = await second;
    expect(fetch.calls).toBe(1);
    lease.release();
  });
});
