import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { confineLocalPath, type LocalPathPolicy } from '@weir/resources';
import { WeirError } from '../../errors.js';
import type { TaskClaimMount } from '../../executors/executor.js';
import type { TaskPlacement } from './task-placement.js';
import { pathInsideWorkDir } from './task-paths.js';

const CLAIM_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * A task step's `claims`, made ready for where the task runs: on the cluster each names a
 * PersistentVolumeClaim; on this host (in the sandbox, or unsandboxed) each names a directory,
 * which must exist and lie under the operator's local path roots (the rule volume-snapshot's
 * local paths follow, so the `to` of a local restore is one), so a pipeline cannot mount the
 * engine's data directory into a task.
 */
export async function resolveTaskClaims(
  claims: ReadonlyArray<{ claim: string; path: string; read_only?: boolean }>,
  placement: TaskPlacement,
  localPaths: LocalPathPolicy,
  location: string,
): Promise<TaskClaimMount[]> {
  if (claims.length === 0) return [];
  const resolved: TaskClaimMount[] = [];
  for (const [index, entry] of claims.entries()) {
    const field = `claims[${index}]`;
    const path = pathInsideWorkDir(entry.path, `${field}.path`, location);
    if (path === '.') {
      throw new WeirError('task-path-outside', `${field}.path is "${entry.path}": a claim cannot take the whole working directory`, { location, hint: 'give the claim a directory of its own, e.g. path: data' });
    }
    let claim = entry.claim;
    if (placement === 'kubernetes') {
      if (!CLAIM_NAME.test(claim)) {
        throw new WeirError('task-claim-invalid', `${field}.claim "${claim}" is not a PersistentVolumeClaim name`, {
          location,
          hint: 'on a cluster a claim is named by lowercase letters, digits, - and .; a directory works only for tasks on this host',
        });
      }
    } else {
      if (!isAbsolute(claim)) {
        throw new WeirError('task-claim-invalid', `${field}.claim "${claim}" is not a directory: a task on this machine (${placement === 'sandbox' ? 'in the sandbox' : 'unsandboxed'}) mounts a directory as its claim`, {
          location,
          hint: 'give the absolute directory a local restore wrote (a volume-snapshot put with action: restore and to:, under --local-path-root); write claim: ((db)) and set db per engine to run one pipeline here and on a cluster, where it names a PersistentVolumeClaim',
        });
      }
      claim = await confineLocalPath(localPaths, claim, `${field}.claim`);
      if (!(await stat(claim).then((found) => found.isDirectory(), () => false))) {
        throw new WeirError('task-claim-not-found', `${field}.claim ${entry.claim} is not a directory on this host`, {
          location,
          hint: 'restore the snapshot into it first (a volume-snapshot put with action: restore and to: this directory), or create it',
        });
      }
    }
    resolved.push({ claim, path, readOnly: entry.read_only === true });
  }
  return resolved;
}

/**
 * A claim's path shares nothing with an input, output or cache: a claim is mounted over the
 * working directory, and an output inside it would make an artifact of the volume itself.
 */
export function refuseClaimOverlaps(claims: readonly TaskClaimMount[], run: { inputs: ReadonlyArray<{ path: string }>; outputs: ReadonlyArray<{ path: string }>; caches: ReadonlyArray<{ path: string }> }, location: string): void {
  const within = (inner: string, outer: string): boolean => outer === '.' || inner === outer || inner.startsWith(`${outer}/`);
  const others = [...run.inputs, ...run.outputs, ...run.caches].map((mount) => mount.path);
  for (const [index, claim] of claims.entries()) {
    const clash = [...others, ...claims.filter((_, other) => other !== index).map((entry) => entry.path)].find((path) => within(path, claim.path) || within(claim.path, path));
    if (clash !== undefined) {
      throw new WeirError('task-path-taken', `claims[${index}].path "${claim.path}" overlaps "${clash}", another mount of the task`, {
        location,
        hint: 'give the claim a path of its own, apart from every input, output and cache (and inside none of them)',
      });
    }
  }
}
