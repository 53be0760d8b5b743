import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ResourceError } from '../interface.js';
import type { RestoreRequest } from './driver.js';
import { parseDurationField } from './duration.js';

export interface VolumeSnapshotGetParams {
  to_pvc?: string;
  storage_class?: string;
  size?: string;
  access_modes?: string[];
}

export interface VolumeSnapshotPutParams extends VolumeSnapshotGetParams {
  action?: 'create' | 'restore' | 'delete';
  name?: string;
  from?: string;
  all?: boolean;
  timeout?: string;
  namespace?: string;
  wait?: boolean;
  to?: string;
  overwrite?: boolean;
  keep_existing?: boolean;
}

const DEFAULT_TIMEOUT = '10m';

export function timeoutOf(params: VolumeSnapshotPutParams): number {
  return parseDurationField(params.timeout ?? DEFAULT_TIMEOUT, 'params.timeout');
}

export function restoreRequest(params: VolumeSnapshotPutParams): RestoreRequest {
  if (params.overwrite === true && params.keep_existing === true) {
    throw new ResourceError('volume-snapshot-restore-conflict', 'a restore got both `overwrite` and `keep_existing`', 'keep one: `overwrite` replaces what the target holds, `keep_existing` leaves it as it is');
  }
  return {
    ...(params.to_pvc !== undefined && { toPvc: params.to_pvc }),
    ...(params.namespace !== undefined && { namespace: params.namespace }),
    ...(params.storage_class !== undefined && { storageClass: params.storage_class }),
    ...(params.size !== undefined && { size: params.size }),
    ...(params.access_modes !== undefined && { accessModes: params.access_modes }),
    ...(params.to !== undefined && { to: params.to }),
    wait: params.wait ?? false,
    overwrite: params.overwrite ?? false,
    keepExisting: params.keep_existing ?? false,
    timeoutMs: timeoutOf(params),
  };
}

/** The snapshot a restore starts from: `name`, or the `snapshot.json` a get wrote into an artifact. */
export async function restoreSourceName(params: VolumeSnapshotPutParams, workdir: string): Promise<string> {
  if (params.name !== undefined && params.from !== undefined) {
    throw new ResourceError('volume-snapshot-restore-ambiguous', 'a restore got both `name` and `from`', 'keep one: `name` for a snapshot by name, `from` for the one a get fetched');
  }
  if (params.name !== undefined) return params.name;
  if (params.from === undefined) {
    throw new ResourceError('volume-snapshot-restore-without-snapshot', 'a restore needs the snapshot to restore', 'set `name: <snapshot>`, or `from: <get step name>` to restore the version a get of this resource fetched');
  }
  let path = resolve(workdir, params.from);
  const rel = relative(workdir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ResourceError('volume-snapshot-path-outside', `\`from: ${params.from}\` leaves the build's artifacts`, 'name an artifact of this build, such as the get step of this resource');
  }
  if ((await stat(path).catch(() => undefined))?.isDirectory()) path = join(path, 'snapshot.json');
  const text = await readFile(path, 'utf8').catch(() => {
    throw new ResourceError('volume-snapshot-from-unreadable', `cannot read ${params.from}${path.endsWith('snapshot.json') && !params.from?.endsWith('snapshot.json') ? '/snapshot.json' : ''}`, 'run a get of this resource earlier in the job and give its name as `from`');
  });
  const name = (JSON.parse(text) as { name?: unknown }).name;
  if (typeof name !== 'string') {
    throw new ResourceError('volume-snapshot-from-invalid', `${params.from} has no snapshot name`, 'point `from` at the artifact of a get of a volume-snapshot resource');
  }
  return name;
}
