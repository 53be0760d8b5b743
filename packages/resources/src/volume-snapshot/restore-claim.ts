import { kubeClientModule } from '../kube/client.js';

export interface RestoreClaimOptions {
  name: string;
  namespace: string;
  snapshot: { name: string; namespace: string };
  size: string;
  storageClass?: string;
  accessModes: string[];
  labels: Record<string, string>;
}

const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

/**
 * The PersistentVolumeClaim that restores a snapshot. In the snapshot's own namespace it uses
 * `dataSource`, which every CSI cluster supports; elsewhere it needs `dataSourceRef` with a
 * namespace (the CrossNamespaceVolumeDataSource feature and a ReferenceGrant in the snapshot's
 * namespace), as Kubernetes offers no other way across namespaces.
 */
export function restoreClaim(options: RestoreClaimOptions): Record<string, unknown> {
  const reference = { apiGroup: SNAPSHOT_GROUP, kind: 'VolumeSnapshot', name: options.snapshot.name };
  const sameNamespace = options.snapshot.namespace === options.namespace;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: options.name, namespace: options.namespace, ...(Object.keys(options.labels).length > 0 && { labels: options.labels }) },
    spec: {
      ...(options.storageClass !== undefined && { storageClassName: options.storageClass }),
      accessModes: options.accessModes,
      resources: { requests: { storage: options.size } },
      ...(sameNamespace ? { dataSource: reference } : { dataSourceRef: { ...reference, namespace: options.snapshot.namespace } }),
    },
  };
}

/** The claim as `kubectl apply -f` takes it. */
export async function restoreClaimYaml(options: RestoreClaimOptions): Promise<string> {
  return (await kubeClientModule()).dumpYaml(restoreClaim(options));
}
