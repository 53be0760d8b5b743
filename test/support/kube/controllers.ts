import { cpSync, rmSync } from 'node:fs';
import type { KubeObject, ObjectStore, StoreEvent } from './object-store.js';
import { quantityBytes } from './quantity.js';

export interface ControllerTimings {
  /** How long a new VolumeSnapshot takes to become ready (or fail). */
  snapshotReadyAfterMs: number;
  /** How long a deleted claim that no pod uses takes to go (the pvc-protection controller). */
  claimReleaseAfterMs: number;
  /** How long a provisionable claim takes to bind. */
  claimBindAfterMs: number;
}

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';

export const DEFAULT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

/**
 * A snapshot controller and a CSI provisioner, as far as a client can see them: they react to
 * objects in the store the way the real ones change `status` and record Events.
 */
export class SimulatedControllers {
  /** When set, every snapshot created from now on fails with this message. */
  snapshotFailure: string | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private eventCount = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly timings: ControllerTimings,
    /** Where claims and snapshots keep their data on the simulated node: a snapshot copies its claim's, a restore copies the snapshot's. */
    private readonly volumes?: { claimDirectory(namespace: string, name: string): string; snapshotDirectory(namespace: string, name: string): string },
  ) {
    this.unsubscribe = store.subscribe((event) => this.react(event));
  }

  stop(): void {
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private react(event: StoreEvent): void {
    const { metadata } = event.object;
    if (event.resource === 'volumesnapshots' && event.type === 'ADDED') this.takeSnapshot(event.object);
    if (event.resource === 'persistentvolumeclaims' && event.type === 'ADDED') this.provision(metadata.namespace as string, metadata.name);
    if (event.resource === 'persistentvolumeclaims' && event.type === 'MODIFIED' && metadata.deletionTimestamp !== undefined) {
      this.later(this.timings.claimReleaseAfterMs, () => this.releaseIfUnused(metadata.namespace as string, metadata.name));
    }
    // The volume goes with its claim (reclaim policy Delete): a claim recreated under the name starts from its own data.
    if (event.resource === 'persistentvolumeclaims' && event.type === 'DELETED' && this.volumes) rmSync(this.volumes.claimDirectory(metadata.namespace as string, metadata.name), { recursive: true, force: true });
    // A pod that ends or goes may let a deleted claim go.
    if (event.resource === 'pods' && event.type !== 'ADDED') {
      for (const claim of this.store.list('persistentvolumeclaims', metadata.namespace)) {
        if (claim.metadata.deletionTimestamp !== undefined) this.releaseIfUnused(claim.metadata.namespace as string, claim.metadata.name);
      }
    }
    // Claims restored from a snapshot that was not ready yet get another try when it is.
    if (event.resource === 'volumesnapshots' && event.type === 'MODIFIED' && event.object.status?.readyToUse) {
      for (const claim of this.store.list('persistentvolumeclaims', metadata.namespace)) {
        const source = claim.spec.dataSourceRef ?? claim.spec.dataSource;
        if (claim.status?.phase === 'Pending' && source?.kind === 'VolumeSnapshot' && source.name === metadata.name) this.provision(claim.metadata.namespace as string, claim.metadata.name);
      }
    }
  }

  /** The pvc-protection controller: a deleted claim keeps its finalizer while an unfinished pod mounts it. */
  private releaseIfUnused(namespace: string, name: string): void {
    const claim = this.store.get('persistentvolumeclaims', namespace, name);
    if (claim?.metadata.deletionTimestamp === undefined || !((claim.metadata.finalizers as string[] | undefined) ?? []).includes(PVC_PROTECTION)) return;
    const used = this.store
      .list('pods', namespace)
      .some((pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase) && (pod.spec?.volumes ?? []).some((volume: { persistentVolumeClaim?: { claimName?: string } }) => volume.persistentVolumeClaim?.claimName === name));
    if (used) return;
    this.store.update('persistentvolumeclaims', namespace, name, (object) => {
      object.metadata.finalizers = (object.metadata.finalizers as string[]).filter((finalizer) => finalizer !== PVC_PROTECTION);
    });
  }

  private takeSnapshot(snapshot: KubeObject): void {
    const { namespace, name, uid } = snapshot.metadata;
    const fail = (message: string): void =>
      this.later(this.timings.snapshotReadyAfterMs, () =>
        this.store.update('volumesnapshots', namespace, name, (object) => {
          object.status = { readyToUse: false, error: { message, time: new Date().toISOString() } };
        }),
      );
    if (this.snapshotFailure !== undefined) return fail(this.snapshotFailure);
    const className = snapshot.spec.volumeSnapshotClassName as string | undefined;
    const snapshotClass = className
      ? this.store.get('volumesnapshotclasses', undefined, className)
      : this.store.list('volumesnapshotclasses').find((candidate) => candidate.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
    if (!snapshotClass) {
      return fail(className ? `Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found` : 'Failed to set default snapshot class with error cannot find default snapshot class');
    }
    const claimName = snapshot.spec.source.persistentVolumeClaimName as string;
    const claim = this.store.get('persistentvolumeclaims', namespace, claimName);
    if (!claim) return fail(`Failed to create snapshot content with error failed to get input PVC ${claimName}: persistentvolumeclaims "${claimName}" not found`);
    const size = claim.status?.capacity?.storage ?? claim.spec.resources.requests.storage;
    this.store.update('volumesnapshots', namespace, name, (object) => {
      object.spec.volumeSnapshotClassName ??= snapshotClass.metadata.name;
      object.status = { readyToUse: false, boundVolumeSnapshotContentName: `snapcontent-${uid}` };
    });
    this.later(this.timings.snapshotReadyAfterMs, () => {
      if (this.volumes) cpSync(this.volumes.claimDirectory(namespace as string, claimName), this.volumes.snapshotDirectory(namespace as string, name), { recursive: true });
      this.store.update('volumesnapshots', namespace, name, (object) => {
        object.status = { ...object.status, readyToUse: true, restoreSize: size, creationTime: new Date().toISOString() };
      });
    });
  }

  private provision(namespace: string, name: string): void {
    const claim = this.store.get('persistentvolumeclaims', namespace, name);
    if (!claim || claim.status?.phase === 'Bound') return;
    const source = claim.spec.dataSourceRef ?? claim.spec.dataSource;
    const requested = claim.spec.resources.requests.storage as string;
    if (source?.kind === 'VolumeSnapshot') {
      const snapshotNamespace = (source.namespace as string | undefined) ?? namespace;
      const snapshot = this.store.get('volumesnapshots', snapshotNamespace, source.name);
      if (!snapshot) return this.warn(claim, 'ProvisioningFailed', `failed to provision volume: error getting handle for DataSource Type VolumeSnapshot by Name ${source.name}: volumesnapshots.snapshot.storage.k8s.io "${source.name}" not found`);
      if (!snapshot.status?.readyToUse) return;
      const restoreSize = snapshot.status.restoreSize as string;
      if ((quantityBytes(requested) ?? 0) < (quantityBytes(restoreSize) ?? 0)) {
        return this.warn(
          claim,
          'ProvisioningFailed',
          `failed to provision volume with StorageClass "${claim.spec.storageClassName ?? 'standard'}": error getting handle for DataSource Type VolumeSnapshot by Name ${source.name}: requested volume size ${quantityBytes(requested)} is less than the size ${quantityBytes(restoreSize)} for the source snapshot ${source.name}`,
        );
      }
    }
    this.later(this.timings.claimBindAfterMs, () => {
      if (this.volumes && source?.kind === 'VolumeSnapshot') {
        cpSync(this.volumes.snapshotDirectory((source.namespace as string | undefined) ?? namespace, source.name), this.volumes.claimDirectory(namespace, name), { recursive: true });
      }
      this.store.update('persistentvolumeclaims', namespace, name, (object) => {
        object.spec.volumeName = `pvc-${object.metadata.uid}`;
        object.status = { phase: 'Bound', accessModes: object.spec.accessModes, capacity: { storage: requested } };
      });
    });
  }

  private warn(claim: KubeObject, reason: string, message: string): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.eventCount += 1;
    this.store.create(
      'events',
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${claim.metadata.name}.${this.eventCount.toString(16).padStart(16, '0')}`, namespace: claim.metadata.namespace as string },
        involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.metadata.name, namespace: claim.metadata.namespace, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
        reason,
        message,
        type: 'Warning',
        source: { component: 'simulated-csi-provisioner' },
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      },
      new Date(),
    );
  }

  private later(delayMs: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, delayMs);
    this.timers.add(timer);
  }
}
