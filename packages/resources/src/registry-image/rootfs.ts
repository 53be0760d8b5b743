import { createReadStream } from 'node:fs';
import { lstat, open, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { ResourceError } from '../interface.js';
import { classifyLayerPath } from './whiteout.js';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

interface LayerPlan {
  whiteouts: string[];
  opaqueDirectories: string[];
  /** Paths this layer creates as something other than a directory. */
  nonDirectories: string[];
}

const EMPTY_PLAN: LayerPlan = { whiteouts: [], opaqueDirectories: [], nonDirectories: [] };

/**
 * Applies one layer (a verified tar, gzipped or not) on top of `rootfs`. Whiteouts delete what
 * lower layers made, and only that: they are applied first, from a listing of the layer, so a
 * whiteout listed after a sibling this same layer adds cannot delete it. Entries are then
 * extracted by node-tar, which refuses paths that leave the root or pass through symlinks.
 */
export async function applyLayer(rootfs: string, layerFile: string, what: string, log: (line: string) => void, signal: AbortSignal): Promise<void> {
  await refuseZstd(layerFile, what);
  // Whiteouts and replacements only delete what lower layers made: on an empty root (the first
  // layer) there is nothing to delete, and listing the layer would read and gunzip it once more.
  const plan = (await readdir(rootfs)).length === 0 ? EMPTY_PLAN : await planLayer(layerFile).catch((error: unknown) => {
    throw corruptLayer(error, what);
  });
  for (const directory of plan.opaqueDirectories) {
    if (!(await realDirectory(rootfs, directory))) continue;
    for (const child of await readdir(join(rootfs, directory))) await rm(join(rootfs, directory, child), { recursive: true, force: true });
  }
  const whiteouts = new Set(plan.whiteouts);
  for (const path of [...whiteouts, ...plan.nonDirectories]) {
    const existing = await lstat(join(rootfs, path)).catch(() => undefined);
    // A whiteout removes anything; a new file replaces an old directory (which node-tar would only rmdir if empty).
    if (existing === undefined || !(whiteouts.has(path) || existing.isDirectory())) continue;
    if (await realDirectory(rootfs, dirname(path))) await rm(join(rootfs, path), { recursive: true, force: true });
  }

  const skipped: string[] = [];
  await extract(layerFile, signal, {
    cwd: rootfs,
    filter: (path) => classifyLayerPath(path).kind === 'entry',
    // Modes exactly as the image has them (setuid bits, 0700 homes), not filtered by our umask.
    chmod: true,
    processUmask: 0,
    maxDepth: Infinity,
    onwarn: (_code, message) => skipped.push(String(message)),
  }).catch((error: unknown) => {
    throw signal.aborted ? error : corruptLayer(error, what);
  });
  if (skipped.length > 0) {
    log(`${what}: skipped ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} (${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; ...' : ''})`);
  }
}

/** `tar.x` of a file that stops, its streams destroyed, when `signal` fires. */
function extract(file: string, signal: AbortSignal, options: tar.TarOptionsWithAliasesAsyncNoFile): Promise<void> {
  signal.throwIfAborted();
  const input = createReadStream(file);
  const unpack = new tar.Unpack(options);
  return new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      // Settled first: node-tar reports its own abort as an error, which then changes nothing.
      reject(signal.reason);
      input.destroy();
      unpack.abort(new Error('extraction stopped'));
    };
    signal.addEventListener('abort', stop, { once: true });
    const settle = (error?: unknown): void => {
      signal.removeEventListener('abort', stop);
      if (error === undefined) resolve();
      else reject(error);
    };
    unpack.on('close', () => settle());
    unpack.on('error', settle);
    input.on('error', settle);
    input.pipe(unpack);
  });
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

async function refuseZstd(layerFile: string, what: string): Promise<void> {
  const handle = await open(layerFile, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead === 4 && buffer.equals(ZSTD_MAGIC)) {
      throw new ResourceError('registry-image-zstd-unsupported', `${what} is zstd-compressed, which weir cannot unpack on Node 20`, 'push the image with gzip layers, or get it with `format: oci-layout` and unpack it in a task');
    }
  } finally {
    await handle.close();
  }
}

async function planLayer(layerFile: string): Promise<LayerPlan> {
  const plan: LayerPlan = { whiteouts: [], opaqueDirectories: [], nonDirectories: [] };
  await tar.t({
    file: layerFile,
    onReadEntry: (entry) => {
      const classified = classifyLayerPath(entry.path);
      if (classified.kind === 'whiteout') plan.whiteouts.push(classified.path);
      else if (classified.kind === 'opaque') plan.opaqueDirectories.push(classified.directory);
      else if (classified.kind === 'entry' && classified.path !== '' && entry.type !== 'Directory') plan.nonDirectories.push(classified.path);
    },
  });
  return plan;
}

/**
 * True when `directory` and every directory on the way to it are real directories, not symlinks,
 * so deleting in it stays inside the root filesystem (a lower layer's `lib -> /usr/lib` must not
 * lead a whiteout onto the host).
 */
async function realDirectory(rootfs: string, directory: string): Promise<boolean> {
  let current = rootfs;
  for (const component of directory === '.' || directory === '' ? [] : directory.split('/')) {
    current = join(current, component);
    const stats = await lstat(current).catch(() => undefined);
    if (stats === undefined || !stats.isDirectory()) return false;
  }
  return true;
}
