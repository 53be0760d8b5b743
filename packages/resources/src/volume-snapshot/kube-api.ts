import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { ResourceError } from '../interface.js';

export interface KubeClients {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
}

/** `source.kubeconfig` when given, else the client's defaults: $KUBECONFIG, ~/.kube/config, in-cluster. */
export function kubeClients(kubeconfig: string | undefined): KubeClients {
  const config = new KubeConfig();
  try {
    if (kubeconfig !== undefined) config.loadFromString(kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new ResourceError('volume-snapshot-kubeconfig-invalid', `the kubeconfig cannot be read: ${(error as Error).message}`, 'give `source.kubeconfig` the text of a kubeconfig file (clusters, users, contexts, current-context)');
  }
  if (!config.getCurrentCluster()) {
    throw new ResourceError('volume-snapshot-kubeconfig-invalid', 'the kubeconfig has no current cluster', 'set `current-context` in the kubeconfig to a context whose cluster is listed');
  }
  return { core: config.makeApiClient(CoreV1Api), custom: config.makeApiClient(CustomObjectsApi), watch: new Watch(config) };
}

/** The Status object the API server sends with a failure, as far as it parses. */
export interface ApiStatus {
  code: number;
  reason?: string;
  message?: string;
}

export function apiStatus(error: unknown): ApiStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const code = (error as ApiException<unknown>).code;
  const body = (error as ApiException<unknown>).body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: string; message?: string } | undefined;
    return { code, ...(parsed?.reason && { reason: parsed.reason }), ...(parsed?.message && { message: parsed.message }) };
  } catch {
    return { code };
  }
}

/**
 * A failed API call as the user can act on it: credentials, permissions, an unreachable
 * server, or the API's own message. `doing` says what weir was doing ("creating snapshot x").
 */
export function kubeFailure(error: unknown, doing: string): Error {
  if (error instanceof ResourceError) return error;
  const status = apiStatus(error);
  if (status) {
    const said = status.message ?? status.reason ?? `HTTP ${status.code}`;
    if (status.code === 401) return new ResourceError('volume-snapshot-unauthorized', `${doing}: the Kubernetes API refused the credentials`, 'check the user in the kubeconfig (token or certificate) and that it has not expired');
    if (status.code === 403) return new ResourceError('volume-snapshot-forbidden', `${doing}: ${said}`, 'grant the kubeconfig\'s user get/list/watch/create/delete on volumesnapshots.snapshot.storage.k8s.io and persistentvolumeclaims (and list on events) in the namespace');
    return new ResourceError(`volume-snapshot-api-${(status.reason ?? String(status.code)).toLowerCase()}`, `${doing}: ${said}`, 'the message is the Kubernetes API\'s own; fix what it names in the source or params');
  }
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || (error as Error).name === 'FetchError') {
    return new ResourceError('volume-snapshot-api-unreachable', `${doing}: cannot reach the Kubernetes API (${(error as Error).message})`, 'check the server in the kubeconfig and that weir can reach it; set `source.kubeconfig` when weir runs outside the cluster');
  }
  return error instanceof Error ? error : new Error(String(error));
}
