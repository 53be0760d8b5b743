import type { MetadataField, Versioned } from '../interface.js';

/** A Deployment's version: what it runs (`container=image` pairs, sorted) and its generation. */
export type KubernetesVersion = { images: string; generation: string } | { applied: string };

export interface WorkloadObject {
  metadata?: { name?: string; namespace?: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ name: string; image?: string }> } } };
  status?: { availableReplicas?: number };
}

export function workloadVersion(workload: WorkloadObject): Versioned<KubernetesVersion> {
  const containers = workload.spec?.template?.spec?.containers ?? [];
  const images = containers
    .map((container) => `${container.name}=${container.image ?? ''}`)
    .sort()
    .join(',');
  const metadata: MetadataField[] = [
    { name: 'namespace', value: workload.metadata?.namespace ?? '' },
    { name: 'replicas', value: String(workload.spec?.replicas ?? 1) },
  ];
  const revision = workload.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  if (revision) metadata.push({ name: 'revision', value: revision });
  return { version: { images, generation: String(workload.metadata?.generation ?? 0) }, metadata };
}
