import { ResourceError, type ResourceContext } from '../interface.js';
import type { RestoreRequest, SnapshotDriver, SnapshotRecord } from './driver.js';
import { apiStatus, kubeClients, kubeFailure, type KubeClients, type KubeUser } from '../kube/client.js';
import { waitFor } from '../kube/wait.js';
import { BUILD_LABEL, CREATED_ANNOTATION, JOB_LABEL, labelValue, OWNER_LABEL, ownerId, PIPELINE_LABEL, randomSuffix, RESTORED_FROM_LABEL, snapshotName, buildOf } from './naming.js';
import { deleteClaimForOverwrite } from './claim-replacement.js';
import { restoreClaim, restoreClaimYaml } from './restore-claim.js';
import type { KubernetesSource } from './source.js';

const GROUP = 'snapshot.storage.k8s.io';
const VERSION = 'v1';
const PLURAL = 'volumesnapshots';
const DEFAULT_ACCESS_MODES = ['ReadWriteOnce'];
const USER: KubeUser = { type: 'volume-snapshot', permissions: 'get/list/watch/create/delete on volumesnapshots.snapshot.storage.k8s.io and persistentvolumeclaims (and list on events, and on pods for a restore with overwrite) in the namespace' };

/** The parts of a VolumeSnapshot weir reads (the custom objects API hands back plain JSON). */
interface VolumeSnapshotObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string }; volumeSnapshotClassName?: string };
  status?: { readyToUse?: boolean; restoreSize?: string; error?: { message?: string }; boundVolumeSnapshotContentName?: string };
}

/** CSI VolumeSnapshots of PersistentVolumeClaims, through the Kubernetes API. */
export async function kubernetesDriver(source: KubernetesSource, ctx: ResourceContext): Promise<SnapshotDriver> {
  const api = await kubeClients(source.kubeconfig, USER);
  const namespace = source.namespace ?? api.contextNamespace;
  // Said aloud: with another kubeconfig the same source works elsewhere and sees other snapshots.
  if (source.namespace === undefined) ctx.log(`namespace ${namespace}, from the kubeconfig's current context (set \`namespace\` in the source to fix it)`);
  const owner = ownerId({ driver: 'kubernetes', namespace, claims: 'name' in source.claims ? source.claims.name : `selector:${source.claims.selector}`, namePrefix: source.namePrefix });
  const snapshotsPath = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
  const target = { group: GROUP, version: VERSION, namespace, plural: PLURAL };

  const listSnapshots = async (selector: { labelSelector?: string; fieldSelector?: string }): Promise<{ items: VolumeSnapshotObject[]; metadata?: { resourceVersion?: string } }> => {
    try {
      return (await api.custom.listNamespacedCustomObject({ ...target, ...selector })) as { items: VolumeSnapshotObject[] };
    } catch (error) {
      if (apiStatus(error)?.code === 404) {
        throw new ResourceError('volume-snapshot-api-missing', `the cluster has no ${GROUP}/${VERSION} VolumeSnapshot API in namespace ${namespace}`, 'install the CSI snapshot CRDs and the snapshot controller (kubernetes-csi/external-snapshotter), and check that the namespace exists');
      }
      throw kubeFailure(error, `listing VolumeSnapshots in ${namespace}`, USER);
    }
  };

  const claimNames = async (): Promise<string[]> => {
    if ('name' in source.claims) {
      const name = source.claims.name;
      await api.core.readNamespacedPersistentVolumeClaim({ name, namespace }).catch((error: unknown) => {
        if (apiStatus(error)?.code === 404) throw new ResourceError('volume-snapshot-claim-not-found', `the PersistentVolumeClaim ${name} does not exist in namespace ${namespace}`, 'check `pvc` and `namespace` in the source');
        throw kubeFailure(error, `reading PersistentVolumeClaim ${name}`, USER);
      });
      return [name];
    }
    const selector = source.claims.selector;
    const claims = await api.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: selector }).catch((error: unknown) => {
      throw kubeFailure(error, `listing PersistentVolumeClaims matching ${selector}`, USER);
    });
    const names = claims.items.map((claim) => claim.metadata?.name).filter((name): name is string => name !== undefined);
    if (names.length === 0) {
      throw new ResourceError('volume-snapshot-no-claims', `no PersistentVolumeClaim in namespace ${namespace} matches ${selector}`, 'check `pvc_selector` against `kubectl get pvc -l ...`');
    }
    return names.sort();
  };

  const createOne = async (claim: string, timeoutMs: number): Promise<SnapshotRecord> => {
    const now = ctx.now();
    const name = snapshotName({ prefix: source.namePrefix, ...('selector' in source.claims && { claim }), ...buildOf(ctx), now, random: randomSuffix() });
    const body: VolumeSnapshotObject & { apiVersion: string; kind: string } = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'VolumeSnapshot',
      metadata: {
        name,
        namespace,
        labels: { ...source.labels, ...buildLabels(ctx), [OWNER_LABEL]: owner },
        annotations: { [CREATED_ANNOTATION]: now.toISOString(), ...(ctx.build && { 'weir.dev/build-url': ctx.build.url }) },
      },
      spec: { source: { persistentVolumeClaimName: claim }, ...(source.snapshotClass !== undefined && { volumeSnapshotClassName: source.snapshotClass }) },
    };
    await api.custom.createNamespacedCustomObject({ ...target, body }).catch((error: unknown) => {
      throw kubeFailure(error, `creating VolumeSnapshot ${name} of ${claim}`, USER);
    });
    ctx.log(`created VolumeSnapshot ${namespace}/${name} of claim ${claim}, waiting until it is ready`);
    const ready = await waitFor<VolumeSnapshotObject>({
      watch: api.watch,
      path: snapshotsPath,
      fieldSelector: `metadata.name=${name}`,
      list: () => listSnapshots({ fieldSelector: `metadata.name=${name}` }),
      decide: (snapshot: VolumeSnapshotObject, event) => {
        if (event === 'DELETED') throw new ResourceError('volume-snapshot-deleted', `the VolumeSnapshot ${name} was deleted while weir waited for it`, 'someone or something deleted it; run the put again');
        if (snapshot.status?.error?.message) throw new SnapshotFailed(snapshot.status.error.message);
        return snapshot.status?.readyToUse === true ? snapshot : undefined;
      },
      timeoutMs,
      signal: ctx.signal,
      timedOut: () =>
        new ResourceError(
          'volume-snapshot-timeout',
          `the VolumeSnapshot ${name} of ${claim} was not ready within ${Math.round(timeoutMs / 1000)}s`,
          'raise `timeout` in the put params for large volumes; the snapshot is left in place and check reports it once it is ready',
        ),
    }).catch(async (error: unknown) => {
      if (!(error instanceof SnapshotFailed)) throw kubeFailure(error, `waiting for VolumeSnapshot ${name}`, USER);
      // A failed snapshot never becomes usable: remove it so it does not linger as this resource's.
      await api.custom.deleteNamespacedCustomObject({ ...target, name }).catch(() => undefined);
      throw new ResourceError('volume-snapshot-failed', `the VolumeSnapshot ${name} of ${claim} failed: ${error.message}`, 'the message is the snapshot controller\'s; check the claim\'s CSI driver and the VolumeSnapshotClass (`kubectl describe volumesnapshot`)');
    });
    const record = toRecord(ready, owner);
    ctx.log(`VolumeSnapshot ${name} is ready${record.restoreSize ? ` (restore size ${record.restoreSize})` : ''}`);
    return record;
  };

  return {
    async listOwned() {
      return (await listSnapshots({ labelSelector: `${OWNER_LABEL}=${owner}` })).items.map((item) => toRecord(item, owner));
    },

    async find(name) {
      const found = (await listSnapshots({ fieldSelector: `metadata.name=${name}` })).items[0];
      return found && toRecord(found, owner);
    },

    async create(timeoutMs) {
      const records: SnapshotRecord[] = [];
      for (const claim of await claimNames()) records.push(await createOne(claim, timeoutMs));
      return records;
    },

    async delete(name) {
      await api
        .custom.deleteNamespacedCustomObject({ ...target, name })
        .catch((error: unknown) => {
          if (apiStatus(error)?.code !== 404) throw kubeFailure(error, `deleting VolumeSnapshot ${name}`, USER);
        });
    },

    async restore(snapshot, request) {
      if (request.toPvc === undefined) {
        throw new ResourceError('volume-snapshot-restore-without-claim', 'a kubernetes restore needs the name of the claim to create', 'set `to_pvc: <new claim name>` in the put params');
      }
      const claimNamespace = request.namespace ?? namespace;
      const body = restoreClaim({ ...claimOptions(snapshot, request, request.toPvc), namespace: claimNamespace, labels: { ...buildLabels(ctx), [RESTORED_FROM_LABEL]: labelValue(snapshot.name) } });
      const toPvc = request.toPvc;
      const createClaim = () => api.core.createNamespacedPersistentVolumeClaim({ namespace: claimNamespace, body });
      let overwritten = false;
      const created = await createClaim().catch(async (error: unknown) => {
        if (apiStatus(error)?.code !== 409) throw kubeFailure(error, `creating PersistentVolumeClaim ${claimNamespace}/${toPvc}`, USER);
        if (request.keepExisting) return keptUnlessDeleted(claimNamespace, toPvc);
        if (!request.overwrite) {
          throw new ResourceError(
            'volume-snapshot-claim-exists',
            `the PersistentVolumeClaim ${claimNamespace}/${toPvc} already exists`,
            'set `overwrite: true` to replace it with the snapshot (it is deleted and recreated), `keep_existing: true` to leave it as it is, or choose another `to_pvc`',
          );
        }
        await deleteClaimForOverwrite(api, USER, { namespace: claimNamespace, name: toPvc, timeoutMs: request.timeoutMs, signal: ctx.signal, log: ctx.log });
        overwritten = true;
        return createClaim().catch((again: unknown) => {
          throw kubeFailure(again, `recreating PersistentVolumeClaim ${claimNamespace}/${toPvc}`, USER);
        });
      });
      if (created === undefined) {
        ctx.log(`kept the PersistentVolumeClaim ${claimNamespace}/${request.toPvc} as it is (it exists, and keep_existing is set): ${snapshot.name} was not restored`);
        return [
          { name: 'restored_to', value: `${claimNamespace}/${request.toPvc}` },
          { name: 'kept_existing', value: 'true' },
        ];
      }
      ctx.log(`${overwritten ? 'recreated' : 'created'} PersistentVolumeClaim ${claimNamespace}/${request.toPvc} from ${snapshot.name}`);
      const facts = [
        { name: 'restored_to', value: `${claimNamespace}/${request.toPvc}` },
        { name: 'size', value: (body.spec as { resources: { requests: { storage: string } } }).resources.requests.storage },
        ...(overwritten ? [{ name: 'overwritten', value: 'true' }] : []),
      ];
      if (!request.wait) return facts;
      const phase = await waitForBound(api, claimNamespace, request.toPvc, created.metadata?.uid ?? '', request.timeoutMs, ctx.signal);
      ctx.log(`PersistentVolumeClaim ${claimNamespace}/${request.toPvc} is ${phase}`);
      return facts;
    },

    async getFiles(snapshot, params) {
      const options = claimOptions(snapshot, params, params.toPvc ?? `${snapshot.name}-restore`.slice(0, 253));
      return { 'restore-pvc.yaml': await restoreClaimYaml({ ...options, labels: { [RESTORED_FROM_LABEL]: labelValue(snapshot.name) } }) };
    },
  };

  /**
   * An existing claim that is on its way out (a deletion waiting for its finalizers, as after a
   * teardown) is no claim to keep: it would vanish under the environment that kept it.
   */
  async function keptUnlessDeleted(claimNamespace: string, name: string): Promise<undefined> {
    const existing = await api.core.readNamespacedPersistentVolumeClaim({ name, namespace: claimNamespace }).catch((error: unknown) => {
      throw kubeFailure(error, `reading PersistentVolumeClaim ${claimNamespace}/${name}`, USER);
    });
    if (existing.metadata?.deletionTimestamp) {
      throw new ResourceError(
        'volume-snapshot-claim-terminating',
        `the PersistentVolumeClaim ${claimNamespace}/${name} exists but is being deleted, so keep_existing cannot keep it`,
        'run the put again once the claim is gone (`kubectl get pvc` stops listing it); it then restores the snapshot',
      );
    }
    return undefined;
  }

  function claimOptions(snapshot: SnapshotRecord, request: Pick<RestoreRequest, 'storageClass' | 'size' | 'accessModes'>, name: string) {
    const size = request.size ?? snapshot.restoreSize;
    if (size === undefined) {
      throw new ResourceError('volume-snapshot-size-unknown', `the VolumeSnapshot ${snapshot.name} reports no restore size`, 'set `size` (at least the size of the snapshotted volume)');
    }
    return {
      name,
      namespace,
      snapshot: { name: snapshot.name, namespace },
      size,
      ...(request.storageClass !== undefined && { storageClass: request.storageClass }),
      accessModes: request.accessModes ?? DEFAULT_ACCESS_MODES,
    };
  }
}

/** Waits for the claim to bind, failing as soon as the provisioner records a warning about it. */
async function waitForBound(api: KubeClients, namespace: string, name: string, uid: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  const timedOut = (): Error =>
    new ResourceError('volume-snapshot-restore-timeout', `the PersistentVolumeClaim ${namespace}/${name} did not bind within ${Math.round(timeoutMs / 1000)}s`, 'for storage classes that bind on first use (WaitForFirstConsumer) leave `wait` off; otherwise raise `timeout`');
  const bound = waitFor<string>({
    watch: api.watch,
    path: `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    fieldSelector: `metadata.name=${name}`,
    list: () => api.core.listNamespacedPersistentVolumeClaim({ namespace, fieldSelector: `metadata.name=${name}` }),
    decide: (claim: { status?: { phase?: string } }, event) => {
      if (event === 'DELETED') throw new ResourceError('volume-snapshot-claim-deleted', `the PersistentVolumeClaim ${namespace}/${name} was deleted while weir waited for it to bind`, 'run the put again');
      return claim.status?.phase === 'Bound' ? claim.status.phase : undefined;
    },
    timeoutMs,
    signal: both,
    timedOut,
  });
  const refused = waitFor<never>({
    watch: api.watch,
    path: `/api/v1/namespaces/${namespace}/events`,
    fieldSelector: `involvedObject.name=${name},involvedObject.kind=PersistentVolumeClaim`,
    list: () => api.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=PersistentVolumeClaim` }),
    decide: (event: { type?: string; reason?: string; message?: string; involvedObject?: { uid?: string } }) => {
      if (event.type !== 'Warning' || (uid !== '' && event.involvedObject?.uid !== uid)) return undefined;
      throw new ResourceError(
        'volume-snapshot-restore-failed',
        `the PersistentVolumeClaim ${namespace}/${name} cannot be provisioned: ${event.reason ?? 'Warning'}: ${event.message ?? ''}`,
        'the reason is the provisioner\'s; a claim must request at least the snapshot\'s restore size (`size`), in a storage class of the snapshot\'s CSI driver',
      );
    },
    timeoutMs,
    signal: both,
    timedOut,
  });
  try {
    return await Promise.race([bound, refused]);
  } catch (error) {
    throw kubeFailure(error, `waiting for PersistentVolumeClaim ${namespace}/${name}`, USER);
  } finally {
    stop.abort();
    // The loser rejects with the abort reason once stopped; nobody needs it.
    bound.catch(() => undefined);
    refused.catch(() => undefined);
  }
}

function buildLabels(ctx: ResourceContext): Record<string, string> {
  if (!ctx.build) return {};
  return { [PIPELINE_LABEL]: labelValue(ctx.build.pipelineName), [JOB_LABEL]: labelValue(ctx.build.jobName), [BUILD_LABEL]: labelValue(ctx.build.buildName) };
}

function toRecord(snapshot: VolumeSnapshotObject, owner: string): SnapshotRecord {
  const { metadata, spec, status } = snapshot;
  const details: Record<string, string> = { driver: 'kubernetes' };
  if (metadata.namespace) details.namespace = metadata.namespace;
  if (spec.volumeSnapshotClassName) details.snapshot_class = spec.volumeSnapshotClassName;
  if (status?.boundVolumeSnapshotContentName) details.content = status.boundVolumeSnapshotContentName;
  for (const [label, key] of [[PIPELINE_LABEL, 'pipeline'], [JOB_LABEL, 'job'], [BUILD_LABEL, 'build']] as const) {
    const value = metadata.labels?.[label];
    if (value) details[key] = value;
  }
  const created = metadata.annotations?.[CREATED_ANNOTATION] ?? (metadata.creationTimestamp ? new Date(metadata.creationTimestamp).toISOString() : new Date(0).toISOString());
  return {
    name: metadata.name,
    created,
    ready: status?.readyToUse === true,
    ...(status?.error?.message && { error: status.error.message }),
    source: spec.source.persistentVolumeClaimName ?? spec.source.volumeSnapshotContentName ?? '',
    ...(status?.restoreSize && { restoreSize: status.restoreSize }),
    owned: metadata.labels?.[OWNER_LABEL] === owner,
    details,
  };
}

/** The snapshot controller's `status.error`, kept apart from API failures until it is reported. */
class SnapshotFailed extends Error {}
