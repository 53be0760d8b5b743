import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { LocalPathPolicy } from '@weir/resources';
import { WeirError } from './errors.js';

/**
 * The operator's roots for paths pipelines name on this machine (`weir up --local-path-root`),
 * by default the directory weir started in and the system's temporary directory; the engine's
 * own directory is never one a pipeline may use, whatever the roots.
 */
export function localPathPolicy(roots: readonly string[] | undefined, engineDirs: readonly string[]): LocalPathPolicy {
  const chosen = roots && roots.length > 0 ? roots : [process.cwd(), tmpdir()];
  return {
    roots: chosen.map((root) => realRoot(root)),
    forbidden: engineDirs.map((dir) => realpathSync(resolve(dir))),
  };
}

function realRoot(root: string): string {
  try {
    return realpathSync(resolve(root));
  } catch (error) {
    throw new WeirError('local-path-root-missing', `the local path root ${root} cannot be used: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      location: root,
      hint: 'give --local-path-root an existing directory',
    });
  }
}
