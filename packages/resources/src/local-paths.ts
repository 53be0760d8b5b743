import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ResourceError } from './interface.js';

/**
 * Where on the engine's machine a pipeline may name paths (a volume-snapshot's `path`, `store`
 * and restore target): under one of the operator's `roots` and apart from every `forbidden`
 * path (the engine's data directory). Both are real paths, symlinks resolved.
 */
export interface LocalPathPolicy {
  roots: readonly string[];
  forbidden: readonly string[];
}

/**
 * The real path `path` names, symlinks resolved (for a path that does not exist yet, those of
 * its nearest existing ancestor), refused unless it lies under a root and neither holds nor
 * lies inside a forbidden path. Comparing real paths, not the text a pipeline wrote, is what
 * keeps a symlink from pointing a restore at the data directory.
 */
export async function confineLocalPath(policy: LocalPathPolicy, path: string, field: string): Promise<string> {
  if (!isAbsolute(path)) {
    throw new ResourceError('local-path-not-absolute', `${field} ${JSON.stringify(path)} is not an absolute path`, `set ${field} to an absolute path on the machine running weir`);
  }
  const real = await realPathOf(resolve(path));
  if (!policy.roots.some((root) => isWithin(real, root))) {
    throw new ResourceError(
      'local-path-not-allowed',
      `${field} ${path}${real === resolve(path) ? '' : ` (really ${real})`} is outside the directories this engine lets pipelines use: ${policy.roots.join(', ')}`,
      'use a path under one of them, or ask the operator to start weir up with --local-path-root for its directory',
    );
  }
  const clash = policy.forbidden.find((kept) => isWithin(real, kept) || isWithin(kept, real));
  if (clash !== undefined) {
    throw new ResourceError(
      'local-path-not-allowed',
      `${field} ${path}${real === resolve(path) ? '' : ` (really ${real})`} ${isWithin(real, clash) ? 'is inside' : 'contains'} the engine's data directory ${clash}`,
      "use a directory apart from weir's data directory",
    );
  }
  return real;
}

/** Whether `inner` is `outer` or lies under it. */
export function isWithin(inner: string, outer: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path));
}

async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(path) === path) throw error;
    return join(await realPathOf(dirname(path)), basename(path));
  }
}
