import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { readImageDirectory, type ImageDirectory } from './image-directory.js';

export interface ImageStoreOptions {
  /** A directory of its own, outside anything a sandbox mounts; created when missing. */
  root: string;
  /** Total size kept on disk; least recently used images beyond it are removed when not in use. */
  maxBytes: number;
  logger: Logger;
}

/**
 * Fills `dir` (an empty directory) with the image: `rootfs/` and, optionally, `metadata.json`.
 * Called at most once at a time per key; it must stop when `signal` aborts.
 */
export type ImageFetcher = (dir: string, signal: AbortSignal) => Promise<void>;

/** An image held for use: it is not evicted until `release` is called (exactly once). */
export interface ImageLease extends ImageDirectory {
  key: string;
  /** Size on disk, in bytes. */
  bytes: number;
  /** True when this lease fetched the image, false when it was already in the store. */
  fetched: boolean;
  release(): void;
}

interface Entry {
  key: string;
  dir: string;
  bytes: number;
  lastUsed: number;
  leases: number;
  image: ImageDirectory;
}

const ENTRY_FILE = 'entry.json';

/**
 * Images on disk, each fetched once per key (an image's digest, see `imageKey`) and shared by
 * every task that runs in it. The store is bounded: once it holds more than `maxBytes`, the
 * least recently used images that no task holds are removed. It survives restarts: the entries
 * and their last use are on disk, and `open` removes what a crash left half-written.
 *
 * Layout under `root`: `entries/<sha256 of key>/{image/rootfs, image/metadata.json, entry.json}`
 * (entry.json's mtime is the last use), `staging/` for fetches under way, `trash/` for removals.
 */
export class ImageStore {
  private readonly entries = new Map<string, Entry>();
  private readonly fetching = new Map<string, { entry: Promise<Entry>; signal: AbortSignal }>();

  private constructor(private readonly options: ImageStoreOptions) {}

  static async open(options: ImageStoreOptions): Promise<ImageStore> {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes <= 0) {
      throw new WeirError('image-cache-size-invalid', `the image cache size is ${options.maxBytes} bytes; it must be more than 0`, {
        hint: 'give the size as a number of bytes (e.g. 10737418240 for 10 GiB)',
      });
    }
    const store = new ImageStore(options);
    await store.load();
    return store;
  }

  /** The images kept, most recently used first. */
  list(): { key: string; bytes: number; lastUsed: Date; inUse: boolean }[] {
    return [...this.entries.values()]
      .sort((a, b) => b.lastUsed - a.lastUsed)
      .map((entry) => ({ key: entry.key, bytes: entry.bytes, lastUsed: new Date(entry.lastUsed), inUse: entry.leases > 0 }));
  }

  /**
   * The image for `key`, fetched with `fetch` unless the store has it. Concurrent leases of one
   * key share one fetch; a waiter whose own signal is fine retries when the fetch it waited for
   * was aborted by another's. `what` names the image in errors (e.g. `the image of task test`).
   */
  async lease(key: string, fetch: ImageFetcher, options: { signal: AbortSignal; what: string }): Promise<ImageLease> {
    for (;;) {
      options.signal.throwIfAborted();
      const existing = this.entries.get(key);
      if (existing) return this.hold(existing, false);
      let pending = this.fetching.get(key);
      const mine = pending === undefined;
      if (pending === undefined) {
        const started = { entry: this.fetchEntry(key, fetch, options), signal: options.signal };
        this.fetching.set(key, started);
        const done = (): void => {
          if (this.fetching.get(key) === started) this.fetching.delete(key);
        };
        started.entry.then(done, done);
        pending = started;
      }
      try {
        return this.hold(await abortable(pending.entry, options.signal), mine);
      } catch (error) {
        // Another lease's fetch that its own abort stopped: this one fetches anew.
        if (mine || options.signal.aborted || !pending.signal.aborted) throw error;
      }
    }
  }

  private hold(entry: Entry, fetched: boolean): ImageLease {
    entry.leases++;
    entry.lastUsed = Date.now();
    const when = new Date(entry.lastUsed);
    utimes(join(entry.dir, ENTRY_FILE), when, when).catch((err) => this.options.logger.warn({ err, key: entry.key }, 'could not record an image\'s last use'));
    let released = false;
    return {
      key: entry.key,
      bytes: entry.bytes,
      fetched,
      ...entry.image,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        void this.evict();
      },
    };
  }

  private async fetchEntry(key: string, fetch: ImageFetcher, options: { signal: AbortSignal; what: string }): Promise<Entry> {
    const { root, logger } = this.options;
    const id = entryId(key);
    const staging = join(root, 'staging', `${id}-${randomBytes(4).toString('hex')}`);
    await mkdir(join(staging, 'image'), { recursive: true });
    try {
      options.signal.throwIfAborted();
      await fetch(join(staging, 'image'), options.signal);
      options.signal.throwIfAborted();
      await readImageDirectory(join(staging, 'image'), options.what);
      const bytes = await diskUsage(join(staging, 'image'));
      await writeFile(join(staging, ENTRY_FILE), JSON.stringify({ key, bytes }));
      const dir = join(root, 'entries', id);
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      const entry: Entry = { key, dir, bytes, lastUsed: Date.now(), leases: 0, image: await readImageDirectory(join(dir, 'image'), options.what) };
      this.entries.set(key, entry);
      logger.info({ key, bytes }, 'image fetched into the cache');
      void this.evict();
      return entry;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  /** Removes least recently used images no task holds while the store is over its size. */
  private async evict(): Promise<void> {
    let total = [...this.entries.values()].reduce((sum, entry) => sum + entry.bytes, 0);
    const candidates = [...this.entries.values()].filter((entry) => entry.leases === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const entry of candidates) {
      if (total <= this.options.maxBytes) return;
      this.entries.delete(entry.key);
      total -= entry.bytes;
      this.options.logger.info({ key: entry.key, bytes: entry.bytes }, 'image removed from the cache (least recently used)');
      await this.discard(entry.dir);
    }
  }

  /** Moved aside first, so a crash mid-removal leaves nothing that looks like an entry. */
  private async discard(dir: string): Promise<void> {
    const trash = join(this.options.root, 'trash', randomBytes(8).toString('hex'));
    try {
      await mkdir(join(this.options.root, 'trash'), { recursive: true });
      await rename(dir, trash);
      await rm(trash, { recursive: true, force: true });
    } catch (err) {
      this.options.logger.warn({ err, dir }, 'could not remove an image from the cache');
    }
  }

  private async load(): Promise<void> {
    const { root, logger } = this.options;
    await mkdir(join(root, 'entries'), { recursive: true, mode: 0o700 });
    // Fetches and removals a crash interrupted.
    await rm(join(root, 'staging'), { recursive: true, force: true });
    await rm(join(root, 'trash'), { recursive: true, force: true });
    for (const id of await readdir(join(root, 'entries'))) {
      const dir = join(root, 'entries', id);
      try {
        const file = join(dir, ENTRY_FILE);
        const { key, bytes } = JSON.parse(await readFile(file, 'utf8')) as { key: string; bytes: number };
        if (typeof key !== 'string' || entryId(key) !== id || typeof bytes !== 'number') throw new Error('entry.json does not match its directory');
        const image = await readImageDirectory(join(dir, 'image'), `cached image ${key}`);
        this.entries.set(key, { key, dir, bytes, lastUsed: (await stat(file)).mtimeMs, leases: 0, image });
      } catch (err) {
        logger.warn({ err, dir }, 'removing an unreadable image cache entry');
        await this.discard(dir);
      }
    }
    await this.evict();
  }
}

function entryId(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Bytes the tree takes on disk (allocated blocks, so sparse files and hard links count once). */
async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (info.nlink > 1 && !info.isDirectory()) {
      const inode = `${info.dev}:${info.ino}`;
      if (seen.has(inode)) return;
      seen.add(inode);
    }
    total += info.blocks * 512;
    if (info.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  await walk(dir);
  return total;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
