import { readdir, rm } from 'node:fs/promises';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import * as tar from 'tar';
import { ResourceError } from '../interface.js';
import { LowerLayers } from './lower-layers.js';
import { classifyLayerPath } from './whiteout.js';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/**
 * Every write to gunzip and every file write node-tar makes is a round trip to libuv's thread
 * pool; a socket delivers 64 KiB at a time and zlib answers in 16 KiB chunks by default. On a
 * busy machine each round trip waits to be scheduled, so bytes go on in 1 MiB batches: 100 MB
 * is then about 100 round trips each way instead of thousands.
 */
const BATCH_BYTES = 1 << 20;
const GUNZIP_CHUNK_BYTES = 1 << 20;
// A batch overshoots BATCH_BYTES by at most its last chunk.
const REUSED_BUFFER_BYTES = 2 * BATCH_BYTES;

export interface LayerTarget {
  rootfs: string;
  /** A directory beside `rootfs` (same filesystem) that replaced lower content is moved into; removed after the layer. */
  trash: string;
}

/**
 * Applies one layer (a tar, gzipped or not) on top of `target.rootfs` as its bytes arrive:
 * whiteouts delete what lower layers made, and only that (see LowerLayers); entries are
 * extracted by node-tar, which refuses paths that leave the root or pass through symlinks.
 *
 * `blob` may be unverified until it ends (RegistryClient.openBlob): its error at the end wins
 * over any unpacking error, so a corrupted download reads as a digest mismatch, never as a
 * broken image, and the caller must discard the root on any error.
 */
export async function applyLayer(target: LayerTarget, blob: Readable, what: string, log: (line: string) => void, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  // On an empty root (the first layer) there is nothing below to delete.
  const lower = (await readdir(target.rootfs)).length === 0 ? undefined : new LowerLayers(target.rootfs, target.trash);
  const skipped: string[] = [];
  const unpack = new tar.Unpack({
    cwd: target.rootfs,
    filter: lower ? (path, entry) => lower.admit(path, 'type' in entry ? entry.type : '') : (path) => classifyLayerPath(path).kind === 'entry',
    // Modes exactly as the image has them (setuid bits, 0700 homes), not filtered by our umask.
    chmod: true,
    processUmask: 0,
    maxDepth: Infinity,
    onwarn: (_code, message) => skipped.push(String(message)),
  });
  const sink = new LayerSink(unpack, what);
  try {
    await pipeline(blob, sink, { signal });
    if (lower?.failure !== undefined) throw lower.failure;
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error === sink.unpackError ? corruptLayer(error, what) : error;
  } finally {
    if (lower) await rm(target.trash, { recursive: true, force: true });
  }
  if (skipped.length > 0) {
    log(`${what}: skipped ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} (${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; ...' : ''})`);
  }
}

/**
 * Feeds a layer's bytes to node-tar, through zlib's gunzip (which works off the main thread)
 * when they are gzipped. When unpacking fails it keeps taking the bytes, so the blob is read to
 * its end and verified; the unpacking error is reported from `_final`, after the blob's own.
 */
class LayerSink extends Writable {
  /** The first unpacking error (node-tar, zlib or a zstd layer). */
  unpackError: unknown;
  private input: Gunzip | tar.Unpack | undefined;
  private head = Buffer.alloc(0);
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private readonly reusable: Buffer[] = [];
  private waiting: (() => void) | undefined;
  private unpacked = false;
  private onClose: (() => void) | undefined;

  constructor(
    private readonly unpack: tar.Unpack,
    private readonly what: string,
  ) {
    super();
    unpack.on('error', (error: unknown) => this.fail(error));
    unpack.on('close', () => {
      this.unpacked = true;
      this.onClose?.();
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.unpackError !== undefined) return callback();
    if (this.input === undefined) {
      // The format is known from the first bytes; an HTTP chunk is almost always longer.
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < ZSTD_MAGIC.length) return callback();
      this.start();
      chunk = this.head;
    }
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes < BATCH_BYTES) return callback();
    this.forward(this.takeBatch(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      callback(this.unpackError === undefined ? null : (this.unpackError as Error));
    };
    if (this.input === undefined && this.unpackError === undefined) {
      this.start();
      if (this.head.length > 0) this.batch.push(this.head);
    }
    if (this.unpackError !== undefined || this.unpacked) return finish();
    this.onClose = finish;
    const input = this.input as Gunzip | tar.Unpack | undefined;
    if (this.batch.length > 0) {
      const { bytes, done } = this.takeBatch();
      input?.write(bytes, done);
    }
    input?.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.unpacked) {
      if (this.input !== this.unpack) (this.input as Gunzip | undefined)?.destroy();
      // node-tar reports its own abort as an error, which changes nothing then.
      this.unpack.abort(new Error('extraction stopped'));
    }
    callback(error);
  }

  private start(): void {
    if (this.head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC)) {
      this.fail(zstdRefused(this.what));
      return;
    }
    if (this.head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) {
      const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
      gunzip.on('error', (error) => this.fail(error));
      gunzip.pipe(this.unpack);
      this.input = gunzip;
    } else {
      this.input = this.unpack;
    }
  }

  /**
   * The batch as one buffer. gunzip is done with its input when its write callback runs (and
   * backpressure keeps one batch in flight), so for it the batch is copied into a reused
   * buffer: fresh 1 MiB buffers would add the layer's size again to the external memory that
   * makes V8 collect garbage.
   */
  private takeBatch(): { bytes: Buffer; done?: () => void } {
    let taken: { bytes: Buffer; done?: () => void };
    if (this.input !== this.unpack && this.batchBytes <= REUSED_BUFFER_BYTES) {
      const buffer = this.reusable.pop() ?? Buffer.allocUnsafeSlow(REUSED_BUFFER_BYTES);
      let offset = 0;
      for (const chunk of this.batch) offset += chunk.copy(buffer, offset);
      taken = { bytes: buffer.subarray(0, offset), done: () => this.reusable.push(buffer) };
    } else {
      taken = { bytes: this.batch.length === 1 ? this.batch[0]! : Buffer.concat(this.batch, this.batchBytes) };
    }
    this.batch = [];
    this.batchBytes = 0;
    return taken;
  }

  private forward({ bytes: chunk, done }: { bytes: Buffer; done?: () => void }, callback: () => void): void {
    const input = this.input;
    if (this.unpackError !== undefined || input === undefined) return callback();
    if (input.write(chunk, done)) return callback();
    this.waiting = callback;
    input.once('drain', () => this.resume());
  }

  private resume(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private fail(error: unknown): void {
    if (this.unpackError !== undefined) return;
    this.unpackError = error;
    if (this.input !== undefined && this.input !== this.unpack) (this.input as Gunzip).unpipe(this.unpack);
    this.resume();
    this.onClose?.();
  }
}

/**
 * node-tar's and zlib's errors for a layer that is not a (gzipped) tar: TAR_BAD_ARCHIVE, a
 * truncated gzip stream. The blob matched its digest, so the registry serves it as pushed: the
 * image itself is broken, which is the image owner's to fix, not a fault in weir. Anything else
 * (a full disk, a permission) passes through as it is.
 */
function corruptLayer(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const tarOrGzip = typeof code === 'string' && (code.startsWith('TAR_') || code.startsWith('Z_') || code === 'ERR_ZLIB');
  if (!tarOrGzip && !/unexpected end of file|incorrect header check|invalid (?:block type|distance|stored block)/i.test(message)) return error;
  return new ResourceError(
    'registry-image-layer-corrupt',
    `${what} cannot be unpacked: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}`,
    'the layer matches its digest, so the image was pushed this way: rebuild and push the image, or pin a version whose layers unpack',
  );
}

/** zstd needs Node 22's zlib; the media type says so up front, the magic bytes catch a mislabelled layer. */
export function zstdRefused(what: string): ResourceError {
  return new ResourceError('registry-image-zstd-unsupported', `${what} is zstd-compressed, which weir cannot unpack on Node 20`, 'push the image with gzip layers, or get it with `format: oci-layout` and unpack it in a task');
}
