import { isAbsolute } from 'node:path';
import { ResourceError } from '../interface.js';
import { parseDurationField } from './duration.js';
import { ownerId } from './naming.js';
import type { RetentionPolicy } from './retention.js';

export type LocalCopyMode = 'reflink-or-copy' | 'hardlink' | 'copy';

/** `source:` as the pipeline writes it (validated against the schema before any call). */
export interface VolumeSnapshotSource {
  driver?: 'local' | 'kubernetes';
  kubeconfig?: string;
  namespace?: string;
  pvc?: string;
  pvc_selector?: string;
  snapshot_class?: string;
  name_prefix?: string;
  labels?: Record<string, string>;
  retention?: { max_count?: number; max_age?: string };
  path?: string;
  store?: string;
  mode?: LocalCopyMode;
}

interface CommonSource {
  namePrefix: string;
  retention: RetentionPolicy;
}

export interface KubernetesSource extends CommonSource {
  driver: 'kubernetes';
  kubeconfig?: string;
  /** Unset: the kubeconfig's current context says (in a pod, its own namespace), as with kubectl. */
  namespace?: string;
  claims: { name: string } | { selector: string };
  snapshotClass?: string;
  labels: Record<string, string>;
}

export interface LocalSource extends CommonSource {
  driver: 'local';
  owner: string;
  path: string;
  store: string;
  mode: LocalCopyMode;
}

export type CompiledSource = KubernetesSource | LocalSource;

/** Defaults applied, durations converted, cross-field rules checked: nothing else reads raw source. */
export function compileSource(source: VolumeSnapshotSource): CompiledSource {
  const retention: RetentionPolicy = {
    ...(source.retention?.max_count !== undefined && { maxCount: source.retention.max_count }),
    ...(source.retention?.max_age !== undefined && { maxAgeMs: parseDurationField(source.retention.max_age, 'retention.max_age') }),
  };
  if (source.driver === 'kubernetes') {
    const claims = source.pvc !== undefined ? { name: source.pvc } : { selector: requireSelector(source.pvc_selector) };
    const namePrefix = source.name_prefix ?? ('name' in claims ? `${claims.name}-` : '');
    const reserved = Object.keys(source.labels ?? {}).filter((key) => key.startsWith('weir.dev/'));
    if (reserved.length > 0) {
      throw new ResourceError('volume-snapshot-reserved-label', `source.labels sets weir's own label ${reserved.join(', ')}`, 'remove it: weir sets the weir.dev/ labels to recognise its own snapshots');
    }
    return {
      driver: 'kubernetes',
      ...(source.kubeconfig !== undefined && { kubeconfig: source.kubeconfig }),
      ...(source.namespace !== undefined && { namespace: source.namespace }),
      claims,
      ...(source.snapshot_class !== undefined && { snapshotClass: source.snapshot_class }),
      labels: source.labels ?? {},
      namePrefix,
      retention,
    };
  }
  const path = absolute(source.path, 'path');
  const store = absolute(source.store, 'store');
  const namePrefix = source.name_prefix ?? 'snapshot-';
  return { driver: 'local', path, store, mode: source.mode ?? 'reflink-or-copy', namePrefix, retention, owner: ownerId({ driver: 'local', path, namePrefix }) };
}

function requireSelector(selector: string | undefined): string {
  if (!selector) {
    throw new ResourceError('volume-snapshot-no-claim', 'a kubernetes volume-snapshot source needs the claim to snapshot', 'set `pvc: <claim name>`, or `pvc_selector: app=db` for several claims');
  }
  return selector;
}

function absolute(path: string | undefined, field: string): string {
  if (path === undefined || !isAbsolute(path)) {
    throw new ResourceError(
      'volume-snapshot-local-path',
      path === undefined ? `a local volume-snapshot source needs \`${field}\`` : `source.${field} ${JSON.stringify(path)} is not an absolute path`,
      'the local driver works on directories of the machine running weir: give absolute paths for `path` (what to snapshot) and `store` (where snapshots are kept)',
    );
  }
  return path;
}
