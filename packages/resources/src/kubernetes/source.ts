import { ResourceError } from '../interface.js';

/** `source:` as the pipeline writes it (validated against the schema before any call). */
export interface KubernetesSource {
  kubeconfig?: string;
  namespace?: string;
  workload?: string;
  labels?: Record<string, string>;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export interface CompiledKubernetesSource {
  kubeconfig?: string;
  namespace?: string;
  /** The Deployment's name. */
  workload?: string;
  /** Set on every applied object: the source's labels and `managed-by: weir`. */
  labels: Record<string, string>;
}

export function compileKubernetesSource(source: KubernetesSource): CompiledKubernetesSource {
  const reserved = Object.keys(source.labels ?? {}).filter((key) => key === MANAGED_BY_LABEL);
  if (reserved.length > 0) {
    throw new ResourceError('kubernetes-reserved-label', `source.labels sets ${MANAGED_BY_LABEL}`, 'remove it: weir sets it to `weir` on everything it applies');
  }
  return {
    ...(source.kubeconfig !== undefined && { kubeconfig: source.kubeconfig }),
    ...(source.namespace !== undefined && { namespace: source.namespace }),
    ...(source.workload !== undefined && { workload: source.workload.slice('deployment/'.length) }),
    labels: { ...source.labels, [MANAGED_BY_LABEL]: 'weir' },
  };
}
