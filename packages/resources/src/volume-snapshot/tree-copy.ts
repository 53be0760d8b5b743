import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, readlink, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCopyMode } from './source.js';

export interface CopyStats {
  files: number;
  bytes: number;
  /** Files that share their data with the source through a hard link. */
  linked: number;
  /** Sockets, FIFOs and devices: they hold no data to keep. */
  skipped: number;
}

/** Enough parallel file operations to hide per-file latency, few enough to leave the machine usable. */
const PARALLEL_FILES = 16;

/**
 * Copies the tree at `from` into the new directory `to`, keeping modes, mtimes and symlinks.
 * `reflink-or-copy` asks for a clone (COPYFILE_FICLONE), which Node turns into a plain copy
 * where the filesystem cannot clone; `hardlink` links each file and copies only across
 * filesystems, where links are impossible.
 */
export async function copyTree(from: string, to: string, mode: LocalCopyMode, signal: AbortSignal): Promise<CopyStats> {
  const stats: CopyStats = { files: 0, bytes: 0, linked: 0, skipped: 0 };
  const files: Array<{ from: string; to: string; size: number; atime: Date; mtime: Date }> = [];
  const directories: Array<{ path: string; atime: Date; mtime: Date }> = [];

  const walk = async (source: string, target: string): Promise<void> => {
    signal.throwIfAborted();
    const info = await lstat(source);
    // recursive: the top directory may exist already (an emptied restore target).
    await mkdir(target, { recursive: true });
    await chmod(target, info.mode & 0o7777);
    directories.push({ path: target, atime: info.atime, mtime: info.mtime });
    for (const entry of await readdir(source, { withFileTypes: true })) {
      const entryFrom = join(source, entry.name);
      const entryTo = join(target, entry.name);
      if (entry.isDirectory()) await walk(entryFrom, entryTo);
      else if (entry.isSymbolicLink()) await symlink(await readlink(entryFrom), entryTo);
      else if (entry.isFile()) {
        const file = await lstat(entryFrom);
        files.push({ from: entryFrom, to: entryTo, size: file.size, atime: file.atime, mtime: file.mtime });
      } else stats.skipped += 1;
    }
  };
  await walk(from, to);

  let next = 0;
  const worker = async (): Promise<void> => {
    for (let file = files[next++]; file; file = files[next++]) {
      signal.throwIfAborted();
      if (mode === 'hardlink' && (await linkUnlessCrossDevice(file.from, file.to))) stats.linked += 1;
      else {
        await copyFile(file.from, file.to, mode === 'copy' ? 0 : constants.COPYFILE_FICLONE);
        await utimes(file.to, file.atime, file.mtime);
      }
      stats.files += 1;
      stats.bytes += file.size;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FILES }, worker));
  // Directory mtimes last: creating their entries above changed them.
  for (const directory of directories.reverse()) await utimes(directory.path, directory.atime, directory.mtime);
  return stats;
}

async function linkUnlessCrossDevice(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EXDEV') return false;
    throw error;
  }
}
