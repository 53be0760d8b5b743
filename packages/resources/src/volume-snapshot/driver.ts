import type { MetadataField } from '../interface.js';

/** A snapshot as both drivers report it. */
export interface SnapshotRecord {
  name: string;
  /** ISO 8601 UTC, from the engine's clock when weir made it. */
  created: string;
  ready: boolean;
  /** Set when the snapshot failed for good (the snapshot controller's `status.error`). */
  error?: string;
  /** What was snapshotted: the claim name (kubernetes) or the directory (local). */
  source: string;
  /** Kubernetes quantity (`2Gi`) or a byte count for local. */
  restoreSize?: string;
  /** Whether this resource made it (its owner label or metadata matches). */
  owned: boolean;
  /** Driver-specific facts for `snapshot.json` and version metadata. */
  details: Record<string, string>;
}

/** What a build asked a restore to do, as each driver understands it. */
export interface RestoreRequest {
  toPvc?: string;
  namespace?: string;
  storageClass?: string;
  size?: string;
  accessModes?: string[];
  wait: boolean;
  to?: string;
  overwrite: boolean;
  /** A target that already exists is left as it is, and the restore succeeds without restoring. */
  keepExisting: boolean;
  timeoutMs: number;
}

/** The work a driver does; which snapshots to keep, list or prune is decided above it. */
export interface SnapshotDriver {
  /** Every snapshot this resource owns, ready or not, in no particular order. */
  listOwned(): Promise<SnapshotRecord[]>;
  /** Any snapshot by name (owned or not), or undefined. */
  find(name: string): Promise<SnapshotRecord | undefined>;
  /** Takes the snapshot(s) labelled as this resource's and waits until ready or failed. */
  create(timeoutMs: number): Promise<SnapshotRecord[]>;
  delete(name: string): Promise<void>;
  /** Restores `snapshot`; returns facts to show with the version. */
  restore(snapshot: SnapshotRecord, request: RestoreRequest): Promise<MetadataField[]>;
  /** Files a get writes beside `snapshot.json` (kubernetes: `restore-pvc.yaml`). */
  getFiles(snapshot: SnapshotRecord, params: Pick<RestoreRequest, 'toPvc' | 'storageClass' | 'size' | 'accessModes'>): Promise<Record<string, string>>;
}
