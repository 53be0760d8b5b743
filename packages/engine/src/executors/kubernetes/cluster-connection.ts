import type { CoreV1Api, Exec, KubeConfig, Log, Watch } from '@kubernetes/client-node';
import { WeirError } from '../../errors.js';

/** The clients the executor uses, made once from the operator's kubeconfig or the pod's own identity. */
export interface ClusterConnection {
  core: CoreV1Api;
  watch: Watch;
  exec: Exec;
  log: Log;
  /** The API server's address, for messages. */
  server: string;
  /** The kubeconfig context's namespace (in a pod: its own), else `default`, as kubectl has it. */
  contextNamespace: string;
}

/**
 * `kubeconfig` is a file the operator named (`weir up --kubernetes-kubeconfig`); without it the
 * client's defaults apply: $KUBECONFIG, ~/.kube/config, then the service account of the pod weir
 * runs in. This identity is the engine's own: pipelines never choose it, and
 * WEIR_KUBERNETES_DEFAULT_CREDENTIALS=deny keeps resource types from borrowing it.
 */
export async function connectToCluster(kubeconfig: string | undefined): Promise<ClusterConnection> {
  // Imported on first use: the client takes most of a second to load, which no other command should pay.
  const client = await import('@kubernetes/client-node');
  const config: KubeConfig = new client.KubeConfig();
  try {
    if (kubeconfig !== undefined) config.loadFromFile(kubeconfig);
    else config.loadFromDefault();
  } catch (cause) {
    throw new WeirError('kubernetes-kubeconfig-invalid', `the kubeconfig ${kubeconfig ?? '(client defaults)'} cannot be read: ${(cause as Error).message}`, {
      hint: 'give weir up --kubernetes-kubeconfig a kubeconfig file, or run weir in a pod whose service account may run task pods',
      cause,
    });
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new WeirError('kubernetes-kubeconfig-invalid', `the kubeconfig ${kubeconfig ?? '(client defaults)'} has no current cluster`, {
      hint: 'set current-context to a context whose cluster is listed, or run weir in a pod (in-cluster identity)',
    });
  }
  // The client refuses plain HTTP unless TLS verification is off, and says so only at the first call.
  if (/^http:/i.test(cluster.server) && !cluster.skipTLSVerify) {
    throw new WeirError('kubernetes-kubeconfig-plain-http', `the kubeconfig ${kubeconfig ?? '(client defaults)'} puts cluster ${cluster.name} at ${cluster.server}, plain HTTP, which the Kubernetes client refuses unless TLS verification is off for that cluster`, {
      hint: "use the API server's https:// address; for a local test cluster only, add `insecure-skip-tls-verify: true` under the cluster",
    });
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace?.trim() || 'default';
  return {
    core: config.makeApiClient(client.CoreV1Api),
    watch: new client.Watch(config),
    exec: new client.Exec(config),
    log: new client.Log(config),
    server: cluster.server,
    contextNamespace,
  };
}
