import { posix } from 'node:path';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** What a path inside an image layer means for the root filesystem being assembled. */
export type LayerPath =
  /** A file, directory or link to create; `path` is relative, normalized, '' for the root. */
  | { kind: 'entry'; path: string }
  /** `.wh.name`: `path` (from lower layers) is deleted. */
  | { kind: 'whiteout'; path: string }
  /** `.wh..wh..opq`: everything lower layers put in `directory` is deleted; the directory stays. */
  | { kind: 'opaque'; directory: string }
  /** Other `.wh..wh.` names and what is under them: AUFS bookkeeping, never part of the filesystem. */
  | { kind: 'metadata' }
  /** A path that leaves the root (`../x`): never applied. */
  | { kind: 'outside' };

/** Classifies a layer entry's path per the OCI image spec's whiteout rules. */
export function classifyLayerPath(raw: string): LayerPath {
  if (climbsAbove(raw)) return { kind: 'outside' };
  // Leading slashes and ./ are re-rooted at the image's root, as container runtimes do.
  const normalized = posix.normalize(`/${raw}`).slice(1);
  const path = normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
  const base = posix.basename(path);
  const parent = posix.dirname(path);
  const directory = parent === '.' ? '' : parent;
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', directory };
  if (path.split('/').some((component) => component.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`))) return { kind: 'metadata' };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '' || name === '.' || name === '..') return { kind: 'outside' };
    return { kind: 'whiteout', path: directory === '' ? name : `${directory}/${name}` };
  }
  return { kind: 'entry', path };
}

/** True when `..` components climb above the start, which normalizing from `/` would hide. */
function climbsAbove(raw: string): boolean {
  let depth = 0;
  for (const component of raw.split('/')) {
    if (component === '' || component === '.') continue;
    depth += component === '..' ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}
