import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CLASS_ANNOTATION, PVC_PROTECTION, SimulatedControllers, type ControllerTimings } from './controllers.js';
import { ConflictError, ObjectStore, type KubeObject, type ResourceName } from './object-store.js';
import { SimulatedDeploymentController, type DeploymentTimings } from './deployment-controller.js';
import { fieldPaths, fromFieldsV1, jsonMergePatch, mergeObjects, removePaths, toFieldsV1 } from './merge.js';
import { SimulatedKubelet, type ImagePuller, type KubeletOptions } from './kubelet.js';
import { serveExec } from './pod-exec.js';
import { quantityBytes } from './quantity.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

/**
 * A Kubernetes API server for tests, over real HTTP: discovery, namespaces, PVCs, events,
 * VolumeSnapshots and VolumeSnapshotClasses, Deployments, Pods, ConfigMaps and Services with
 * create/get/list/delete/watch, replace (PUT), server-side apply with field ownership, strategic
 * merge and JSON merge patch, plus simulated controllers. Clients talk to it as to a cluster; nothing in weir knows it is a simulator.
 */
export interface KubeSimulator {
  url: string;
  /** The bearer token the server accepts. */
  token: string;
  store: ObjectStore;
  controllers: SimulatedControllers;
  /** The deployment controller and kubelet: `deployments.unpullableImages` makes an image fail to pull. */
  deployments: SimulatedDeploymentController;
  /** The scheduler and kubelet of bare pods, which really run their containers in the sandbox. */
  kubelet: SimulatedKubelet;
  /** Refuses `verb` on `resource` (`pods`, `pods/exec`, …) in `namespace` to the simulator's user, as RBAC would. */
  forbid(rule: { verb: string; resource: string; namespace: string }): void;
  /** The user the token stands for, named in refusals. */
  user: string;
  createNamespace(name: string): KubeObject;
  /** A claim that binds like any other, with `size` as its request (and capacity once bound). */
  createClaim(namespace: string, name: string, options?: { size?: string; labels?: Record<string, string> }): KubeObject;
  createSnapshotClass(name: string, options?: { isDefault?: boolean }): KubeObject;
  /** Every request as `METHOD path?query`, for tests that check what a client asked. */
  requests: string[];
  stop(): Promise<void>;
}

export interface KubeSimulatorOptions extends Partial<ControllerTimings>, Partial<DeploymentTimings> {
  token?: string;
  /** Serve https with this key and certificate (PEM), as a real API server does; plain http otherwise. */
  tls?: { key: string; cert: string };
  /** How the kubelet pulls images for bare pods; without it every pull fails. */
  pullImage?: ImagePuller;
  node?: Pick<KubeletOptions, 'nodeLabels' | 'allocatable'>;
  user?: string;
}

const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

interface ResourceInfo {
  kind: string;
  apiVersion: string;
  namespaced: boolean;
  /** The group-qualified name Kubernetes uses in messages: `volumesnapshots.snapshot.storage.k8s.io`. */
  qualified: string;
}

const RESOURCES: Record<ResourceName, ResourceInfo> = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1', namespaced: false, qualified: 'namespaces' },
  persistentvolumeclaims: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespaced: true, qualified: 'persistentvolumeclaims' },
  events: { kind: 'Event', apiVersion: 'v1', namespaced: true, qualified: 'events' },
  volumesnapshots: { kind: 'VolumeSnapshot', apiVersion: `${SNAPSHOT_GROUP}/v1`, namespaced: true, qualified: `volumesnapshots.${SNAPSHOT_GROUP}` },
  volumesnapshotclasses: { kind: 'VolumeSnapshotClass', apiVersion: `${SNAPSHOT_GROUP}/v1`, namespaced: false, qualified: `volumesnapshotclasses.${SNAPSHOT_GROUP}` },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, qualified: 'deployments.apps' },
  pods: { kind: 'Pod', apiVersion: 'v1', namespaced: true, qualified: 'pods' },
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, qualified: 'configmaps' },
  secrets: { kind: 'Secret', apiVersion: 'v1', namespaced: true, qualified: 'secrets' },
  services: { kind: 'Service', apiVersion: 'v1', namespaced: true, qualified: 'services' },
};

const ROUTES: Array<{ pattern: RegExp; resource: ResourceName }> = [
  { pattern: /^\/api\/v1\/namespaces(?:\/([^/]+))?$/, resource: 'namespaces' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims(?:\/([^/]+))?$/, resource: 'persistentvolumeclaims' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/, resource: 'events' },
  { pattern: /^\/apis\/snapshot\.storage\.k8s\.io\/v1\/namespaces\/([^/]+)\/volumesnapshots(?:\/([^/]+))?$/, resource: 'volumesnapshots' },
  { pattern: /^\/apis\/snapshot\.storage\.k8s\.io\/v1\/volumesnapshotclasses(?:\/([^/]+))?$/, resource: 'volumesnapshotclasses' },
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/, resource: 'deployments' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/, resource: 'pods' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/, resource: 'configmaps' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/, resource: 'secrets' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/services(?:\/([^/]+))?$/, resource: 'services' },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Starts on 127.0.0.1 with a free port, the `default` namespace and a default snapshot class. */
export async function startKubeSimulator(options: KubeSimulatorOptions = {}): Promise<KubeSimulator> {
  const token = options.token ?? 'simulator-token';
  const store = new ObjectStore();
  const deployments = new SimulatedDeploymentController(store, { podReadyAfterMs: options.podReadyAfterMs ?? 50, progressDeadlineMs: options.progressDeadlineMs ?? 500 });
  const kubelet = new SimulatedKubelet(store, { ...options.node, ...(options.pullImage && { pullImage: options.pullImage }) });
  const controllers = new SimulatedControllers(store, { snapshotReadyAfterMs: options.snapshotReadyAfterMs ?? 50, claimBindAfterMs: options.claimBindAfterMs ?? 20, claimReleaseAfterMs: options.claimReleaseAfterMs ?? 30 }, kubelet);
  const requests: string[] = [];
  const watches = new Set<() => void>();
  const user = options.user ?? 'system:serviceaccount:weir:weir';
  const forbidden: Array<{ verb: string; resource: string; namespace: string }> = [];
  /** The refusal RBAC gives, in the API server's words, or undefined when allowed. */
  const refusal = (verb: string, resource: string, namespace: string | undefined, name: string | undefined): string | undefined => {
    if (namespace === undefined || !forbidden.some((rule) => rule.verb === verb && rule.resource === resource && rule.namespace === namespace)) return undefined;
    const [plural, sub] = resource.split('/');
    return `${plural}${name !== undefined && sub !== undefined ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`;
  };

  const listener: RequestListener = (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendStatus(response, 500, 'InternalError', `simulator: ${(error as Error).message}`);
      else response.end();
    });
  };
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  const closeExecs = serveExec(server, { token, kubelet, refusal, requests });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.headers.authorization !== `Bearer ${token}`) return sendStatus(response, 401, 'Unauthorized', 'Unauthorized');
    const url = new URL(request.url ?? '/', 'http://simulator');
    const podLog = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (podLog && request.method === 'GET') return streamLog(request, response, decodeURIComponent(podLog[1]!), decodeURIComponent(podLog[2]!), url.searchParams);
    const discovery = discoveryDocument(url.pathname);
    if (discovery) return request.method === 'GET' ? sendJson(response, 200, discovery) : sendStatus(response, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const route = ROUTES.map((candidate) => ({ resource: candidate.resource, match: url.pathname.match(candidate.pattern) })).find((candidate) => candidate.match);
    if (!route?.match) return sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource');
    const info = RESOURCES[route.resource];
    const namespace = info.namespaced ? decodeURIComponent(route.match[1] as string) : undefined;
    const nameGroup = info.namespaced ? route.match[2] : route.match[1];
    const name = nameGroup === undefined ? undefined : decodeURIComponent(nameGroup);
    const verb = { GET: name !== undefined ? 'get' : ['true', '1'].includes(url.searchParams.get('watch') ?? '') ? 'watch' : 'list', POST: 'create', PATCH: 'patch', PUT: 'update', DELETE: 'delete' }[request.method ?? ''] ?? 'get';
    const refused = refusal(verb, route.resource, namespace, name);
    if (refused !== undefined) return sendStatus(response, 403, 'Forbidden', refused, { ...(name !== undefined && { name }), kind: route.resource });
    if (namespace !== undefined && !store.get('namespaces', undefined, namespace)) {
      if (request.method !== 'GET' || name !== undefined || route.resource !== 'events') return sendStatus(response, 404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    }

    if (request.method === 'GET' && name !== undefined) {
      const object = store.get(route.resource, namespace, name);
      return object ? sendJson(response, 200, object) : notFound(response, info, name);
    }
    if (request.method === 'GET') {
      let labels: ReturnType<typeof parseLabelSelector>;
      let fields: ReturnType<typeof parseFieldSelector>;
      try {
        labels = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
        fields = parseFieldSelector(url.searchParams.get('fieldSelector') ?? '');
      } catch (error) {
        return sendStatus(response, 400, 'BadRequest', (error as Error).message);
      }
      const matches = (object: KubeObject): boolean => matchesLabels(labels, object.metadata.labels) && matchesFields(fields, object);
      const watch = url.searchParams.get('watch');
      if (watch === 'true' || watch === '1') return startWatch(response, route.resource, namespace, matches, url.searchParams);
      const items = store.list(route.resource, namespace).filter(matches);
      return sendJson(response, 200, { apiVersion: info.apiVersion, kind: `${info.kind}List`, metadata: { resourceVersion: String(store.resourceVersion) }, items });
    }
    if (request.method === 'POST' && name === undefined) {
      const body = await jsonBody(request, response);
      if (body === undefined) return;
      if (namespace !== undefined && body.metadata?.namespace !== undefined && body.metadata.namespace !== namespace) {
        return sendStatus(response, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      return createObject(response, route.resource, namespace, body, []);
    }
    if (request.method === 'PATCH' && name !== undefined) {
      const body = await jsonBody(request, response);
      if (body === undefined) return;
      return patchObject(response, route.resource, namespace, name, body, (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '', url.searchParams);
    }
    if (request.method === 'PUT' && name !== undefined) {
      const body = await jsonBody(request, response);
      if (body === undefined) return;
      return replaceObject(response, route.resource, namespace, name, body, url.searchParams.get('fieldManager') ?? undefined);
    }
    if (request.method === 'DELETE' && name !== undefined) {
      const deleted = store.requestDeletion(route.resource, namespace, name, new Date());
      return deleted ? sendJson(response, 200, deleted) : notFound(response, info, name);
    }
    return sendStatus(response, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  function createObject(response: ServerResponse, resource: ResourceName, namespace: string | undefined, body: KubeObject, managedFields: object[]): void {
    const info = RESOURCES[resource];
    const problems = validate(resource, body);
    if (problems.length > 0) return invalid(response, info, body.metadata?.name ?? '', problems);
    let object: KubeObject = { ...body, apiVersion: info.apiVersion, kind: info.kind, metadata: { ...body.metadata, ...(namespace !== undefined && { namespace }) } };
    if (managedFields.length > 0) object.metadata.managedFields = managedFields;
    if (GENERATED.has(resource)) object.metadata.generation = 1;
    if (resource === 'persistentvolumeclaims') {
      object.status = { phase: 'Pending' };
      // The PVC protection admission plugin's finalizer: a claim stays while a pod uses it.
      const finalizers = (object.metadata.finalizers as string[] | undefined) ?? [];
      if (!finalizers.includes(PVC_PROTECTION)) object.metadata.finalizers = [...finalizers, PVC_PROTECTION];
    }
    if (resource === 'volumesnapshots' || resource === 'deployments') delete object.status;
    if (resource === 'secrets') object = secretData(object);
    try {
      return sendJson(response, 201, store.create(resource, object, new Date()));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return sendStatus(response, 409, 'AlreadyExists', `${info.qualified} "${object.metadata.name}" already exists`, { name: object.metadata.name, kind: resource });
    }
  }

  /** Server-side apply (application/apply-patch+yaml), strategic merge patch and JSON merge patch. */
  function patchObject(response: ServerResponse, resource: ResourceName, namespace: string | undefined, name: string, patch: KubeObject, contentType: string, query: URLSearchParams): void {
    const info = RESOURCES[resource];
    const manager = query.get('fieldManager') ?? '';
    const live = store.get(resource, namespace, name);
    if (contentType === 'application/apply-patch+yaml') {
      if (manager === '') return sendStatus(response, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] });
      if (patch.apiVersion !== info.apiVersion || patch.kind !== info.kind) return sendStatus(response, 400, 'BadRequest', `the API version in the data (${patch.apiVersion}) does not match the expected API version (${info.apiVersion})`);
      if (patch.metadata?.name !== name) return sendStatus(response, 400, 'BadRequest', `the name of the object (${patch.metadata?.name}) does not match the name on the URL (${name})`);
      const applied = appliedFields(patch);
      const paths = fieldPaths(applied);
      const entry = (fields: string[]) => ({ manager, operation: 'Apply', apiVersion: info.apiVersion, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fields) });
      if (!live) return createObject(response, resource, namespace, stripStatus(patch), [entry(paths)]);
      const owners = (live.metadata.managedFields ?? []) as Array<{ manager: string; operation: string; fieldsV1?: Record<string, unknown> }>;
      const mine = owners.find((owner) => owner.manager === manager && owner.operation === 'Apply');
      const others = owners.filter((owner) => owner !== mine);
      const conflicts = others.flatMap((owner) => fromFieldsV1(owner.fieldsV1 ?? {}).filter((path) => paths.includes(path) && JSON.stringify(valueAt(live, path)) !== JSON.stringify(valueAt(applied, path))).map((path) => ({ path, manager: owner.manager })));
      if (conflicts.length > 0 && query.get('force') !== 'true') {
        const listed = conflicts.map((conflict) => `conflict with "${conflict.manager}": ${conflict.path}`);
        return sendStatus(response, 409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${listed.join('\n')}`, { name, group: groupOf(info), kind: resource, causes: conflicts.map((conflict) => ({ reason: 'FieldManagerConflict', message: `conflict with "${conflict.manager}"`, field: conflict.path })) });
      }
      const othersPaths = new Set(others.flatMap((owner) => fromFieldsV1(owner.fieldsV1 ?? {})));
      const dropped = (mine ? fromFieldsV1(mine.fieldsV1 ?? {}) : []).filter((path) => !paths.includes(path) && !othersPaths.has(path));
      const merged = mergeObjects(live, applied) as KubeObject;
      removePaths(merged, dropped);
      const keptOthers = others.map((owner) => ({ ...owner, fieldsV1: toFieldsV1(fromFieldsV1(owner.fieldsV1 ?? {}).filter((path) => !paths.includes(path))) }));
      merged.metadata.managedFields = [...keptOthers, entry(paths)];
      return saveChanged(response, resource, live, merged);
    }
    if (!live) return notFound(response, info, name);
    let merged: KubeObject;
    if (contentType === 'application/strategic-merge-patch+json') merged = mergeObjects(live, stripStatus(patch)) as KubeObject;
    else if (contentType === 'application/merge-patch+json') merged = jsonMergePatch(live, stripStatus(patch)) as KubeObject;
    else return sendStatus(response, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    if (manager !== '') {
      const owners = ((live.metadata.managedFields ?? []) as Array<{ manager: string; operation: string }>).filter((owner) => !(owner.manager === manager && owner.operation === 'Update'));
      merged.metadata.managedFields = [...owners, { manager, operation: 'Update', apiVersion: info.apiVersion, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldPaths(appliedFields(patch))) }];
    }
    return saveChanged(response, resource, live, merged);
  }

  function replaceObject(response: ServerResponse, resource: ResourceName, namespace: string | undefined, name: string, body: KubeObject, manager: string | undefined): void {
    const info = RESOURCES[resource];
    const live = store.get(resource, namespace, name);
    if (!live) return notFound(response, info, name);
    if (body.metadata?.name !== name) return sendStatus(response, 400, 'BadRequest', `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`);
    if (body.metadata.resourceVersion !== undefined && body.metadata.resourceVersion !== live.metadata.resourceVersion) {
      return sendStatus(response, 409, 'Conflict', `Operation cannot be fulfilled on ${info.qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: groupOf(info), kind: resource });
    }
    const problems = validate(resource, body);
    if (problems.length > 0) return invalid(response, info, name, problems);
    let replaced: KubeObject = { ...stripStatus(body), apiVersion: info.apiVersion, kind: info.kind, metadata: { ...body.metadata, uid: live.metadata.uid, creationTimestamp: live.metadata.creationTimestamp, ...(namespace !== undefined && { namespace }), managedFields: live.metadata.managedFields ?? [] } };
    if (resource === 'secrets') replaced = secretData(replaced);
    if (manager !== undefined) replaced.metadata.managedFields = [...(replaced.metadata.managedFields as object[]), { manager, operation: 'Update', apiVersion: info.apiVersion, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldPaths(appliedFields(body))) }];
    return saveChanged(response, resource, live, replaced);
  }

  /** Stores `next` over `live`: status stays (a subresource), and a changed spec bumps the generation. */
  function saveChanged(response: ServerResponse, resource: ResourceName, live: KubeObject, next: KubeObject): void {
    const problems = validate(resource, next);
    if (problems.length > 0) return invalid(response, RESOURCES[resource], live.metadata.name, problems);
    if (live.status !== undefined) next.status = live.status;
    else delete next.status;
    if (GENERATED.has(resource)) next.metadata.generation = (live.metadata.generation as number) + (JSON.stringify(live.spec) === JSON.stringify(next.spec) ? 0 : 1);
    next.metadata.resourceVersion = live.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(live)) return sendJson(response, 200, live);
    const saved = store.update(resource, live.metadata.namespace, live.metadata.name, (object) => {
      for (const field of Object.keys(object)) delete object[field];
      Object.assign(object, next);
    });
    return sendJson(response, 200, saved as KubeObject);
  }

  function invalid(response: ServerResponse, info: ResourceInfo, name: string, problems: Array<{ field: string; message: string }>): void {
    return sendStatus(response, 422, 'Invalid', `${info.kind} "${name}" is invalid: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join(', ')}`, {
      name,
      group: groupOf(info),
      kind: info.kind,
      causes: problems.map((problem) => ({ reason: 'FieldValueInvalid', message: problem.message, field: problem.field })),
    });
  }

  /** A container's log, as the kubelet serves it through the API server; with `follow`, until the container ends. */
  function streamLog(request: IncomingMessage, response: ServerResponse, namespace: string, name: string, query: URLSearchParams): void {
    const refused = refusal('get', 'pods/log', namespace, name);
    if (refused !== undefined) return sendStatus(response, 403, 'Forbidden', refused, { name, kind: 'pods' });
    const pod = store.get('pods', namespace, name);
    if (!pod) return sendStatus(response, 404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])] as Array<{ name: string }>;
    const container = query.get('container') ?? (containers.length === 1 ? containers[0]!.name : undefined);
    if (container === undefined) return sendStatus(response, 400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.map((entry) => entry.name).join(' ')}]`);
    if (!containers.some((entry) => entry.name === container)) return sendStatus(response, 400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const log = kubelet.containerLog(namespace, name, container);
    if (!log) {
      const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as Array<{ name: string; state?: { waiting?: { reason?: string } } }>;
      const reason = statuses.find((entry) => entry.name === container)?.state?.waiting?.reason ?? 'ContainerCreating';
      return sendStatus(response, 400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    response.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    const follow = query.get('follow') === 'true';
    let stop: () => void = () => undefined;
    stop = log.follow((chunk) => {
      if (chunk === undefined) {
        response.end();
        return;
      }
      response.write(chunk);
    });
    if (!follow && !log.ended) {
      stop();
      response.end();
    }
    request.on('close', () => stop());
  }

  /** Streams ADDED/MODIFIED/DELETED as JSON lines, from `resourceVersion` when given. */
  function startWatch(response: ServerResponse, resource: ResourceName, namespace: string | undefined, matches: (object: KubeObject) => boolean, query: URLSearchParams): void {
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const send = (type: string, object: KubeObject): void => {
      if ((namespace === undefined || object.metadata.namespace === namespace) && matches(object)) response.write(`${JSON.stringify({ type, object })}\n`);
    };
    const from = query.get('resourceVersion');
    if (from && from !== '0') {
      for (const change of store.changesSince(Number(from))) if (change.resource === resource) send(change.type, change.object);
    } else {
      for (const object of store.list(resource, namespace)) send('ADDED', object);
    }
    const unsubscribe = store.subscribe((change) => {
      if (change.resource === resource) send(change.type, change.object);
    });
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    const end = (): void => {
      unsubscribe();
      clearTimeout(timer);
      watches.delete(end);
      response.end();
    };
    const timer = timeoutSeconds > 0 ? setTimeout(end, timeoutSeconds * 1000) : undefined;
    watches.add(end);
    response.on('close', end);
  }

  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' }, status: { phase: 'Active' } }, new Date());
  const simulator: Omit<KubeSimulator, 'url'> = {
    token,
    store,
    controllers,
    deployments,
    kubelet,
    user,
    forbid: (rule) => forbidden.push(rule),
    requests,
    createNamespace: (name) => store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } }, new Date()),
    createClaim: (namespace, name, claimOptions = {}) =>
      store.create(
        'persistentvolumeclaims',
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name, namespace, finalizers: [PVC_PROTECTION], ...(claimOptions.labels && { labels: claimOptions.labels }) },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: claimOptions.size ?? '1Gi' } } },
          status: { phase: 'Pending' },
        },
        new Date(),
      ),
    createSnapshotClass: (name, classOptions = {}) =>
      store.create(
        'volumesnapshotclasses',
        {
          apiVersion: `${SNAPSHOT_GROUP}/v1`,
          kind: 'VolumeSnapshotClass',
          metadata: { name, ...(classOptions.isDefault && { annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } }) },
          driver: 'hostpath.csi.k8s.io',
          deletionPolicy: 'Delete',
        },
        new Date(),
      ),
    stop: async () => {
      controllers.stop();
      deployments.stop();
      kubelet.stop();
      closeExecs();
      for (const end of [...watches]) end();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  simulator.createSnapshotClass('csi-hostpath-snapclass', { isDefault: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ...simulator, url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function validate(resource: ResourceName, object: KubeObject): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const name = object.metadata?.name;
  if (!name) problems.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
  }
  if (resource === 'persistentvolumeclaims') {
    if (!Array.isArray(object.spec?.accessModes) || object.spec.accessModes.length === 0) problems.push({ field: 'spec.accessModes', message: 'Required value: at least 1 access mode is required' });
    const storage = object.spec?.resources?.requests?.storage;
    if (storage === undefined) problems.push({ field: 'spec.resources[storage]', message: 'Required value' });
    else if (quantityBytes(String(storage)) === undefined) problems.push({ field: 'spec.resources.requests[storage]', message: `Invalid value: "${storage}": quantities must match the regular expression` });
  }
  if (resource === 'deployments') {
    const selector = (object.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
    const labels = (object.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
    if (Object.keys(selector).length === 0) problems.push({ field: 'spec.selector', message: 'Required value' });
    else if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) problems.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
    if (!Array.isArray(object.spec?.template?.spec?.containers) || object.spec.template.spec.containers.length === 0) problems.push({ field: 'spec.template.spec.containers', message: 'Required value' });
  }
  if (resource === 'volumesnapshots') {
    const source = object.spec?.source ?? {};
    if ((source.persistentVolumeClaimName === undefined) === (source.volumeSnapshotContentName === undefined)) {
      problems.push({ field: 'spec.source', message: 'Invalid value: exactly one of persistentVolumeClaimName and volumeSnapshotContentName must be set' });
    }
  }
  return problems;
}

/**
 * As the API server stores a Secret: `stringData` is write-only, merged into `data` base64-encoded
 * (winning over `data`), and `type` defaults to Opaque.
 */
function secretData(object: KubeObject): KubeObject {
  const data: Record<string, string> = { ...(object.data as Record<string, string> | undefined) };
  for (const [key, value] of Object.entries((object.stringData ?? {}) as Record<string, string>)) data[key] = Buffer.from(String(value)).toString('base64');
  const { stringData: _written, ...rest } = object;
  return { ...rest, type: object.type ?? 'Opaque', data };
}

function discoveryDocument(path: string): object | undefined {
  const resourceList = (groupVersion: string, names: ResourceName[]): object => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: names.map((name) => ({
      name,
      singularName: RESOURCES[name].kind.toLowerCase(),
      namespaced: RESOURCES[name].namespaced,
      kind: RESOURCES[name].kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  });
  switch (path) {
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [SNAPSHOT_GROUP, 'apps'].map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
      };
    case '/api/v1':
      return resourceList('v1', ['namespaces', 'persistentvolumeclaims', 'events', 'pods', 'configmaps', 'secrets', 'services']);
    case '/apis/apps/v1':
      return resourceList('apps/v1', ['deployments']);
    case `/apis/${SNAPSHOT_GROUP}/v1`:
      return resourceList(`${SNAPSHOT_GROUP}/v1`, ['volumesnapshots', 'volumesnapshotclasses']);
    default:
      return undefined;
  }
}

function notFound(response: ServerResponse, info: ResourceInfo, name: string): void {
  sendStatus(response, 404, 'NotFound', `${info.qualified} "${name}" not found`, { name, kind: info.qualified.split('.')[0] });
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string, details?: object): void {
  sendJson(response, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details && { details }), code });
}

function sendJson(response: ServerResponse, code: number, body: object): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Resources whose spec changes are counted in `metadata.generation`. */
const GENERATED = new Set<ResourceName>(['deployments']);

function groupOf(info: ResourceInfo): string {
  return info.apiVersion.includes('/') ? (info.apiVersion.split('/')[0] as string) : '';
}

/** What an applied configuration says, without what the server owns (identity and status). */
function appliedFields(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const { name: _name, namespace: _namespace, resourceVersion: _version, uid: _uid, managedFields: _fields, creationTimestamp: _created, generation: _generation, ...metadata } = object.metadata ?? ({} as KubeObject['metadata']);
  const { apiVersion: _api, kind: _kind, metadata: _metadata, ...fields } = rest;
  return { ...fields, ...(Object.keys(metadata).length > 0 && { metadata }) } as KubeObject;
}

function stripStatus(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  return rest as KubeObject;
}

function valueAt(object: unknown, path: string): unknown {
  let at: unknown = object;
  for (const step of path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? []) {
    if (step.startsWith('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[step.slice(1)] : undefined;
    else {
      const [key, value] = step.slice(1, -1).split('=') as [string, string];
      at = Array.isArray(at) ? at.find((item) => String((item as Record<string, unknown>)[key]) === value) : undefined;
    }
  }
  return at;
}

async function jsonBody(request: IncomingMessage, response: ServerResponse): Promise<KubeObject | undefined> {
  try {
    return JSON.parse(await readBody(request)) as KubeObject;
  } catch {
    sendStatus(response, 400, 'BadRequest', 'the request body is not JSON');
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
