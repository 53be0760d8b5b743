import { WeirError } from '../../errors.js';

/** What the executor must be allowed, said in every permission error (examples/kubernetes/role.yaml grants it). */
export const EXECUTOR_PERMISSIONS = 'create, get, list, watch and delete on pods, create on pods/exec, get on pods/log and get on persistentvolumeclaims';

/**
 * A failed call to the Kubernetes API as a build error in the cluster's own words: a refusal
 * names the verb and resource as the API server did, an unreachable server says where weir tried
 * to connect. `doing` says what weir was doing ("creating pod x in namespace y").
 */
export function clusterError(error: unknown, doing: string, where: { server: string; namespace: string }): WeirError {
  if (error instanceof WeirError) return error;
  const status = apiStatus(error);
  if (status !== undefined) {
    const said = status.message ?? status.reason ?? `HTTP ${status.code}`;
    if (status.code === 401) {
      return new WeirError('kubernetes-unauthorized', `${doing}: the Kubernetes API refused weir's credentials (${said})`, {
        hint: 'check the user in the kubeconfig weir up was given (token or certificate), or the service account weir runs as',
      });
    }
    if (status.code === 403) {
      return new WeirError('kubernetes-forbidden', `${doing}: ${said}`, {
        hint: `grant weir's identity ${EXECUTOR_PERMISSIONS} in namespace ${where.namespace} (examples/kubernetes/role.yaml), or run the task in a namespace weir may use`,
      });
    }
    return new WeirError('kubernetes-api-error', `${doing}: ${said}`, { hint: 'the message is the Kubernetes API\'s own; fix what it names', cause: error });
  }
  const code = (error as { code?: string } | undefined)?.code ?? (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  const message = (error as Error | undefined)?.message ?? String(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || (error as Error | undefined)?.name === 'FetchError') {
    return new WeirError('kubernetes-api-unreachable', `${doing}: cannot reach the Kubernetes API at ${where.server} (${message})`, {
      hint: 'check that the API server is up and that weir can reach it (the server in the kubeconfig, or the in-cluster service when weir runs in a pod)',
      cause: error,
    });
  }
  return new WeirError('kubernetes-api-error', `${doing}: ${message}`, { hint: 'see the engine log for the whole error', cause: error });
}

interface ApiStatus {
  code: number;
  reason?: string;
  message?: string;
}

/**
 * The Status the API server sent with a failure: from an ApiException (calls), a watch's
 * `statusCode`, or a WebSocket upgrade refused with a status line (exec).
 */
function apiStatus(error: unknown): ApiStatus | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, body, statusCode } = error as { code?: unknown; body?: unknown; statusCode?: unknown };
  if (typeof code === 'number' && 'body' in error) {
    try {
      const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: string; message?: string } | undefined;
      return { code, ...(parsed?.reason && { reason: parsed.reason }), ...(parsed?.message && { message: parsed.message }) };
    } catch {
      return { code, ...(typeof body === 'string' && body !== '' && { message: body }) };
    }
  }
  if (typeof statusCode === 'number') return { code: statusCode, message: (error as Error).message };
  const upgrade = /Unexpected server response: (\d{3})/.exec((error as Error).message ?? '');
  if (upgrade) return { code: Number(upgrade[1]), message: (error as Error).message };
  return undefined;
}
