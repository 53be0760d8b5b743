import { constants } from 'node:fs';
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../logging.js';
import { WeirError } from '../../errors.js';
import type { TaskCacheMount, TaskInputMount, TaskOutputMount } from '../executor.js';

/**
 * Copies each input into the working directory. A copy, not a symlink or a bind mount, so that a
 * task cannot change an artifact that later steps (or a retry) read; COPYFILE_FICLONE makes the
 * copy a reflink (copy-on-write, nearly free) on filesystems that have them (btrfs, XFS) and a
 * plain copy elsewhere. Symlinks are copied as they are: resolving them would point the copy back
 * into the artifact. Shallower paths go first, so an input placed inside another lands in its copy.
 */
export async function placeInputs(workDir: string, inputs: readonly TaskInputMount[]): Promise<void> {
  const byDepth = [...inputs].sort((a, b) => depth(a.path) - depth(b.path));
  for (const input of byDepth) {
    try {
      await cp(input.source, join(workDir, input.path), { recursive: true, mode: constants.COPYFILE_FICLONE, verbatimSymlinks: true });
    } catch (cause) {
      throw new WeirError('task-input-copy-failed', `input "${input.name}" could not be copied from ${input.source}: ${(cause as Error).message}`, {
        hint: 'check that the artifact directory still exists and that the disk holding the working directories has space',
        cause,
      });
    }
  }
}

/** Each output starts as an empty directory, unless an input already put a directory there. */
export async function createOutputs(workDir: string, outputs: readonly TaskOutputMount[]): Promise<void> {
  for (const output of outputs) await mkdir(join(workDir, output.path), { recursive: true });
}

/**
 * Moves each cache's directory into the working directory, hiding whatever an input has at that
 * path (as a mount would). A rename is instant whatever the cache holds, and it means that while a
 * build of the job runs, the cache is in that build's working directory: a second build of the
 * same job running at the same time finds no cache and starts with an empty one. That is fine,
 * since a task must work with a cold cache anyway; when both return their caches, the first one
 * back is kept (see returnCaches).
 */
export async function mountCaches(workDir: string, caches: readonly TaskCacheMount[], logger: Logger): Promise<void> {
  for (const [index, cache] of caches.entries()) {
    try {
      await mountCache(workDir, cache);
    } catch (cause) {
      await returnCaches(workDir, caches.slice(0, index), logger);
      throw cacheError(cache, cause);
    }
  }
}

async function mountCache(workDir: string, cache: TaskCacheMount): Promise<void> {
  const target = join(workDir, cache.path);
  await mkdir(cache.store, { recursive: true });
  await rm(target, { recursive: true, force: true });
  await mkdir(dirname(target), { recursive: true });
  try {
    await rename(cache.store, target);
  } catch (cause) {
    // Another build of the job took the store between our mkdir and rename.
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    await mkdir(target);
  }
}

/**
 * Moves each cache back to its store, whatever the task's outcome. A cache the task deleted is
 * simply gone; if another build of the job returned its cache first, this one stays in the
 * working directory and goes away with it.
 */
export async function returnCaches(workDir: string, caches: readonly TaskCacheMount[], logger: Logger): Promise<void> {
  for (const cache of caches) {
    try {
      await rename(join(workDir, cache.path), cache.store);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') logger.debug({ cache: cache.path, code }, 'cache not returned to its store');
      else throw cacheError(cache, cause);
    }
  }
}

function cacheError(cache: TaskCacheMount, cause: unknown): WeirError {
  return new WeirError('task-cache-failed', `cache "${cache.path}" could not be moved between ${cache.store} and the working directory: ${(cause as Error).message}`, {
    hint: (cause as NodeJS.ErrnoException).code === 'EXDEV' ? 'keep the cache directories and the working directories on the same filesystem' : 'check the permissions of the data directory',
    cause,
  });
}

function depth(path: string): number {
  return path === '.' ? 0 : path.split('/').length;
}

/** `run.dir` (at `path` on this host) must exist before the task starts, as in Concourse. */
export async function requireDirectory(path: string, dir: string): Promise<void> {
  const isDirectory = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new WeirError('task-dir-not-found', `run.dir "${dir}" is not a directory in the task's working directory`, {
      hint: 'run.dir must name a directory that exists before the task starts: an input or output path, or a directory inside one',
    });
  }
}
