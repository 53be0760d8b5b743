import type { AppsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, V1APIResource, Watch } from '@kubernetes/client-node';
import { ResourceError } from '../interface.js';

type KubeClientModule = typeof import('@kubernetes/client-node');

/**
 * The client, imported on first use: importing it takes most of a second, which every weir
 * command (`weir validate` included) paid at start-up while it was imported with the package.
 */
let clientModule: Promise<KubeClientModule> | undefined;
let loadedModule: KubeClientModule | undefined;

export function kubeClientModule(): Promise<KubeClientModule> {
  clientModule ??= import('@kubernetes/client-node').then((loaded) => (loadedModule = loaded));
  return clientModule;
}

/**
 * The resource type using the API, for its error codes (`<type>-kubeconfig-invalid`) and what to
 * tell a user whose kubeconfig lacks a permission.
 */
export interface KubeUser {
  type: string;
  permissions: string;
}

export interface KubeClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  /** Any kind by apiVersion and kind, through discovery (apply, delete). */
  objects: ObjectsApi;
  watch: Watch;
  /** The current context's namespace (in a pod: its service account's), else `default`, as kubectl has it. */
  contextNamespace: string;
}

/** The generic objects API, and what discovery says of a kind: undefined when the cluster does not serve it. */
export type ObjectsApi = KubernetesObjectApi & { served(apiVersion: string, kind: string): Promise<V1APIResource | undefined> };

/**
 * Set to `deny` by an operator whose engine runs with a cluster identity of its own (a service
 * account, an admin kubeconfig) that pipeline authors must not borrow by leaving out
 * `source.kubeconfig`.
 */
export const DEFAULT_CREDENTIALS_SWITCH = 'WEIR_KUBERNETES_DEFAULT_CREDENTIALS';

/**
 * `source.kubeconfig` when given, else the client's defaults: $KUBECONFIG, ~/.kube/config,
 * in-cluster. The defaults are the engine's own setup and trusted; a source's kubeconfig is
 * pipeline input and only says where to connect and with which inline credentials.
 */
export async function kubeClients(kubeconfig: string | undefined, user: KubeUser): Promise<KubeClients> {
  const { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, loadYaml, Watch } = await kubeClientModule();
  const config = new KubeConfig();
  if (kubeconfig === undefined && process.env[DEFAULT_CREDENTIALS_SWITCH] === 'deny') {
    throw new ResourceError(
      `${user.type}-kubeconfig-required`,
      `this weir does not lend its own Kubernetes credentials to pipelines (${DEFAULT_CREDENTIALS_SWITCH}=deny)`,
      'give the resource `source.kubeconfig` (a ((var)) holding a kubeconfig with inline credentials)',
    );
  }
  try {
    if (kubeconfig !== undefined) {
      const parsed = parseKubeconfig(kubeconfig, loadYaml, user);
      refuseHostAccess(parsed, user);
      // Load what was checked, not the text again: the two readings cannot differ.
      config.loadFromString(JSON.stringify(parsed));
    } else {
      config.loadFromDefault();
    }
  } catch (error) {
    if (error instanceof ResourceError) throw error;
    throw new ResourceError(`${user.type}-kubeconfig-invalid`, `the kubeconfig cannot be read: ${(error as Error).message}`, KUBECONFIG_SHAPE);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new ResourceError(`${user.type}-kubeconfig-invalid`, 'the kubeconfig has no current cluster', 'set `current-context` in the kubeconfig to a context whose cluster is listed');
  }
  // The client refuses plain HTTP unless TLS verification is off for the cluster, and says so only
  // at the first call, in words that do not name the kubeconfig.
  if (/^http:/i.test(cluster.server) && !cluster.skipTLSVerify) {
    throw new ResourceError(
      `${user.type}-kubeconfig-plain-http`,
      `the kubeconfig's cluster ${cluster.name} is at ${cluster.server}, plain HTTP, which the Kubernetes client refuses unless TLS verification is off for that cluster`,
      "use the API server's https:// address; for a local test cluster only, add `insecure-skip-tls-verify: true` under the cluster",
    );
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace?.trim() || 'default';
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api), custom: config.makeApiClient(CustomObjectsApi), objects: objectsApi(KubernetesObjectApi, config), watch: new Watch(config), contextNamespace };
}

function objectsApi(Base: KubeClientModule['KubernetesObjectApi'], config: InstanceType<KubeClientModule['KubeConfig']>): ObjectsApi {
  class Objects extends Base {
    served(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
      return this.resource(apiVersion, kind);
    }
  }
  return config.makeApiClient(Objects);
}

/** Node's codes for a server certificate that no trusted CA vouches for, or that has expired. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const KUBECONFIG_SHAPE = 'give `source.kubeconfig` the text of a kubeconfig file (clusters, users, contexts, current-context)';

/** Fields that run a program (`exec`, `auth-provider` with its `cmd-path`) or read a file on the engine's machine. */
const USER_FIELDS_REFUSED = ['exec', 'auth-provider', 'token-file', 'tokenFile', 'client-certificate', 'client-key'];
const CLUSTER_FIELDS_REFUSED = ['certificate-authority'];

function parseKubeconfig(text: string, loadYaml: KubeClientModule['loadYaml'], user: KubeUser): unknown {
  try {
    return loadYaml(text);
  } catch (error) {
    // js-yaml's message quotes the lines around the error, which hold tokens and keys: keep only the reason and the line.
    const { reason, mark } = error as { reason?: string; mark?: { line?: number } };
    const where = typeof mark?.line === 'number' ? ` at line ${mark.line + 1}` : '';
    throw new ResourceError(`${user.type}-kubeconfig-invalid`, `the kubeconfig is not valid YAML${where}: ${reason ?? 'it cannot be parsed'}`, KUBECONFIG_SHAPE);
  }
}

function refuseHostAccess(parsed: unknown, user: KubeUser): void {
  const entries = (list: unknown, field: string): Array<{ name: string; body: Record<string, unknown> }> =>
    (Array.isArray(list) ? list : []).flatMap((entry: unknown, index) => {
      const body = (entry as Record<string, unknown> | null)?.[field];
      const name = (entry as { name?: unknown } | null)?.name;
      return body !== null && typeof body === 'object' ? [{ name: typeof name === 'string' ? name : `#${index + 1}`, body: body as Record<string, unknown> }] : [];
    });
  const document = (parsed ?? {}) as { users?: unknown; clusters?: unknown };
  const found = [
    ...entries(document.users, 'user').flatMap(({ name, body }) => USER_FIELDS_REFUSED.filter((key) => key in body).map((key) => `users[${name}].user.${key}`)),
    ...entries(document.clusters, 'cluster').flatMap(({ name, body }) => CLUSTER_FIELDS_REFUSED.filter((key) => key in body).map((key) => `clusters[${name}].cluster.${key}`)),
  ];
  if (found.length > 0) {
    throw new ResourceError(
      `${user.type}-kubeconfig-not-allowed`,
      `the kubeconfig in the source uses ${found.join(', ')}, which would run a program or read a file on the machine running weir`,
      'put the credentials inline: `token`, `client-certificate-data`, `client-key-data`, `certificate-authority-data` (for a cloud login, mint a token for a service account)',
    );
  }
}

/** The Status object the API server sends with a failure, as far as it parses. */
export interface ApiStatus {
  code: number;
  reason?: string;
  message?: string;
}

export function apiStatus(error: unknown): ApiStatus | undefined {
  // An ApiException comes from a call, so the client is loaded by then.
  if (loadedModule === undefined || !(error instanceof loadedModule.ApiException)) return undefined;
  const { code, body } = error as InstanceType<KubeClientModule['ApiException']>;
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
export function kubeFailure(error: unknown, doing: string, user: KubeUser): Error {
  if (error instanceof ResourceError) return error;
  const status = apiStatus(error);
  if (status) {
    const said = status.message ?? status.reason ?? `HTTP ${status.code}`;
    if (status.code === 401) return new ResourceError(`${user.type}-unauthorized`, `${doing}: the Kubernetes API refused the credentials`, 'check the user in the kubeconfig (token or certificate) and that it has not expired');
    if (status.code === 403) return new ResourceError(`${user.type}-forbidden`, `${doing}: ${said}`, `grant the kubeconfig's user ${user.permissions}`);
    return new ResourceError(`${user.type}-api-${(status.reason ?? String(status.code)).toLowerCase()}`, `${doing}: ${said}`, 'the message is the Kubernetes API\'s own; fix what it names in the source or params');
  }
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new ResourceError(
      `${user.type}-api-certificate-untrusted`,
      `${doing}: the Kubernetes API's certificate is not trusted (${code})`,
      "give the cluster in the kubeconfig `certificate-authority-data` (the base64 of the CA that signed the API server's certificate); for a local test cluster only, `insecure-skip-tls-verify: true`",
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || (error as Error).name === 'FetchError') {
    return new ResourceError(`${user.type}-api-unreachable`, `${doing}: cannot reach the Kubernetes API (${(error as Error).message})`, 'check the server in the kubeconfig and that weir can reach it; set `source.kubeconfig` when weir runs outside the cluster');
  }
  return error instanceof Error ? error : new Error(String(error));
}
