import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ResourceError } from '../interface.js';
import { confineLocalPath, type LocalPathPolicy } from '../local-paths.js';
import { randomSuffix } from './naming.js';

/**
 * Replaces the directory `target` with the tree `fill` writes, never leaving it half replaced:
 * the new tree is written into a hidden sibling, the two are swapped by renames (same parent,
 * so same filesystem), and only then is the old tree removed. A failure before the swap leaves
 * `target` as it was. The siblings are confined like the target, so nothing is written or
 * deleted outside the operator's roots.
 */
export async function replaceDirectory<T>(target: string, policy: LocalPathPolicy, fill: (fresh: string) => Promise<T>): Promise<T> {
  const parent = dirname(target);
  const tag = randomSuffix();
  const fresh = join(parent, `.${basename(target)}.restoring-${tag}`);
  const old = join(parent, `.${basename(target)}.replaced-${tag}`);
  for (const sibling of [fresh, old]) {
    await confineLocalPath(policy, sibling, 'the restore\'s working directory').catch(() => {
      throw new ResourceError(
        'volume-snapshot-overwrite-outside-roots',
        `overwrite replaces ${target} through a sibling directory in ${parent}, which is outside the directories this engine lets pipelines use`,
        'restore into a subdirectory of an allowed root (not the root itself), or ask the operator for a --local-path-root above it',
      );
    });
  }
  let result: T;
  try {
    result = await fill(fresh);
    await rename(target, old);
  } catch (error) {
    await rm(fresh, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(fresh, target);
  } catch (error) {
    await rename(old, target);
    await rm(fresh, { recursive: true, force: true });
    throw error;
  }
  await rm(old, { recursive: true, force: true }).catch((error: unknown) => {
    throw new ResourceError('volume-snapshot-overwrite-cleanup', `${target} was replaced, but its old contents at ${old} could not be removed: ${error instanceof Error ? error.message : String(error)}`, 'remove that directory by hand');
  });
  return result;
}
