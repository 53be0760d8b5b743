import type { KubernetesObject } from '@kubernetes/client-node';
import { ResourceError, type ResourceContext } from '../interface.js';
import { apiStatus, kubeClientModule, kubeClients, kubeFailure, type KubeUser } from '../kube/client.js';
import { waitFor } from '../kube/wait.js';
import type { ManifestObject } from './manifests.js';
import { rolloutState, type DeploymentState } from './rollout.js';
import type { CompiledKubernetesSource } from './source.js';
import type { WorkloadObject } from './workload-version.js';

export const FIELD_MANAGER = 'weir';

const USER: KubeUser = {
  type: 'kubernetes',
  permissions: 'get/list/watch/create/patch/update/delete on the kinds the manifests hold (and deployments.apps), list on pods and events, in the namespace',
};

type Deployment = WorkloadObject & DeploymentState & { spec?: { selector?: { matchLabels?: Record<string, string> } } & WorkloadObject['spec']; metadata?: { resourceVersion?: string; uid?: string } & WorkloadObject['metadata'] };

/** The kinds `action: delete` looks through unless told otherwise; claims and Secrets hold data and are only deleted when listed. */
export const DEFAULT_DELETE_KINDS = ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'batch/v1/Job', 'v1/Service', 'v1/ConfigMap', 'networking.k8s.io/v1/Ingress'];

/** One namespace of one cluster, as the kubernetes type uses it. */
export interface Cluster {
  namespace: string;
  readDeployment(name: string): Promise<Deployment | undefined>;
  /** Server-side apply as field manager `weir`, forcing ownership of the fields the manifest sets. */
  apply(object: ManifestObject): Promise<KubernetesObject>;
  setImage(name: string, container: string | undefined, image: string): Promise<void>;
  /** Puts a Deployment's spec back as `previous` had it (a replace against the live resourceVersion). */
  restore(previous: Deployment): Promise<void>;
  delete(object: { apiVersion: string; kind: string; name: string }): Promise<void>;
  /** Objects of these kinds carrying every label in `labels`. Kinds the cluster does not serve are skipped. */
  listLabelled(kinds: string[], labels: Record<string, string>): Promise<Array<{ apiVersion: string; kind: string; name: string }>>;
  waitForRollout(name: string, timeoutMs: number): Promise<void>;
  /** Why a rollout is stuck, for the user: the Deployment's conditions, its pods' states and Warning events. */
  diagnose(name: string): Promise<string[]>;
}

export async function connect(source: CompiledKubernetesSource, ctx: ResourceContext): Promise<Cluster> {
  const api = await kubeClients(source.kubeconfig, USER);
  const namespace = source.namespace ?? api.contextNamespace;
  if (source.namespace === undefined) ctx.log(`namespace ${namespace}, from the kubeconfig's current context (set \`namespace\` in the source to fix it)`);
  const { PatchStrategy } = await kubeClientModule();

  const readDeployment = async (name: string): Promise<Deployment | undefined> => {
    try {
      return (await api.apps.readNamespacedDeployment({ name, namespace })) as Deployment;
    } catch (error) {
      if (apiStatus(error)?.code === 404) return undefined;
      throw kubeFailure(error, `reading Deployment ${namespace}/${name}`, USER);
    }
  };

  return {
    namespace,
    readDeployment,

    async apply(object) {
      const resource = await api.objects.served(object.apiVersion, object.kind).catch((error: unknown) => {
        throw kubeFailure(error, `looking up ${object.apiVersion} ${object.kind}`, USER);
      });
      if (!resource) throw new ResourceError('kubernetes-kind-unknown', `the cluster serves no ${object.kind} in ${object.apiVersion}`, 'check apiVersion and kind (`kubectl api-resources`), or install the CRD first');
      const body = { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...source.labels } } };
      if (resource.namespaced) {
        if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
          throw new ResourceError('kubernetes-namespace-mismatch', `${object.kind} ${object.metadata.name} names namespace ${object.metadata.namespace}, but this resource deploys into ${namespace}`, 'remove metadata.namespace from the manifest, or deploy it with a resource whose `namespace` is that one');
        }
        body.metadata.namespace = namespace;
      }
      try {
        return await api.objects.patch(body, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        throw kubeFailure(error, `applying ${object.kind} ${object.metadata.name}`, USER);
      }
    },

    async setImage(name, container, image) {
      const live = await readDeployment(name);
      if (!live) throw new ResourceError('kubernetes-workload-missing', `the Deployment ${namespace}/${name} does not exist`, 'apply its manifest first (`manifests` in the same put), or check `workload` and `namespace` in the source');
      const containers = live.spec?.template?.spec?.containers ?? [];
      const target = container ?? (containers.length === 1 ? containers[0]?.name : undefined);
      if (target === undefined || !containers.some((candidate) => candidate.name === target)) {
        throw new ResourceError(
          'kubernetes-container-unknown',
          container === undefined ? `the Deployment ${name} has ${containers.length} containers (${containers.map((candidate) => candidate.name).join(', ')})` : `the Deployment ${name} has no container ${container}`,
          `set \`set_image.container\` to one of: ${containers.map((candidate) => candidate.name).join(', ')}`,
        );
      }
      const patch = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { template: { spec: { containers: [{ name: target, image }] } } } };
      try {
        await api.objects.patch(patch, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.StrategicMergePatch);
      } catch (error) {
        throw kubeFailure(error, `setting the image of ${name}/${target}`, USER);
      }
      ctx.log(`set ${name}/${target} to ${image}`);
    },

    async restore(previous) {
      const name = previous.metadata?.name as string;
      const live = await readDeployment(name);
      if (!live) return;
      try {
        await api.apps.replaceNamespacedDeployment({ name, namespace, body: { ...live, spec: previous.spec } as never, fieldManager: FIELD_MANAGER });
      } catch (error) {
        throw kubeFailure(error, `rolling back Deployment ${name}`, USER);
      }
    },

    async delete({ apiVersion, kind, name }) {
      try {
        await api.objects.delete({ apiVersion, kind, metadata: { name, namespace } }, undefined, undefined, undefined, undefined, 'Background');
      } catch (error) {
        if (apiStatus(error)?.code !== 404) throw kubeFailure(error, `deleting ${kind} ${name}`, USER);
      }
    },

    async listLabelled(kinds, labels) {
      const selector = Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      const found: Array<{ apiVersion: string; kind: string; name: string }> = [];
      for (const qualified of kinds) {
        const kind = qualified.slice(qualified.lastIndexOf('/') + 1);
        const apiVersion = qualified.slice(0, qualified.lastIndexOf('/'));
        const served = await api.objects.served(apiVersion, kind).catch((error: unknown) => {
          if (apiStatus(error)?.code === 404) return undefined;
          throw kubeFailure(error, `looking up ${apiVersion} ${kind}`, USER);
        });
        if (!served) {
          ctx.logger.debug({ apiVersion, kind }, 'kubernetes delete: kind not served, skipped');
          continue;
        }
        const list = await api.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, selector).catch((error: unknown) => {
          throw kubeFailure(error, `listing ${kind} with ${selector}`, USER);
        });
        for (const item of list.items) if (item.metadata?.name) found.push({ apiVersion, kind, name: item.metadata.name });
      }
      return found;
    },

    async diagnose(name) {
      const lines: string[] = [];
      const live = await readDeployment(name);
      if (!live) return [`the Deployment ${name} no longer exists`];
      for (const condition of (live.status as { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } | undefined)?.conditions ?? []) {
        lines.push(`condition ${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}${condition.message ? `: ${condition.message}` : ''}`);
      }
      const selector = Object.entries(live.spec?.selector?.matchLabels ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      const pods = selector === '' ? { items: [] } : await api.core.listNamespacedPod({ namespace, labelSelector: selector }).catch((error: unknown) => {
        throw kubeFailure(error, `listing the pods of ${name}`, USER);
      });
      const podNames = new Set<string>();
      for (const pod of pods.items) {
        const podName = pod.metadata?.name ?? '';
        podNames.add(podName);
        const waiting = (pod.status?.containerStatuses ?? []).flatMap((status) => (status.state?.waiting ? [`${status.name}: ${status.state.waiting.reason ?? 'waiting'}${status.state.waiting.message ? ` (${status.state.waiting.message})` : ''}`] : []));
        lines.push(`pod ${podName} ${pod.status?.phase ?? 'Unknown'}${waiting.length > 0 ? `, ${waiting.join('; ')}` : ''}`);
      }
      const events = await api.core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=Pod,type=Warning' }).catch((error: unknown) => {
        throw kubeFailure(error, `listing the events of ${name}'s pods`, USER);
      });
      for (const event of events.items) {
        if (podNames.has(event.involvedObject.name ?? '')) lines.push(`event ${event.involvedObject.name}: ${event.reason ?? ''}: ${event.message ?? ''}`);
      }
      return lines;
    },

    async waitForRollout(name, timeoutMs) {
      let waiting = '';
      await waitFor<true>({
        watch: api.watch,
        path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
        fieldSelector: `metadata.name=${name}`,
        list: () => api.apps.listNamespacedDeployment({ namespace, fieldSelector: `metadata.name=${name}` }),
        decide: (deployment: Deployment, event) => {
          if (event === 'DELETED') throw new ResourceError('kubernetes-workload-deleted', `the Deployment ${namespace}/${name} was deleted during its rollout`, 'someone or something deleted it; run the put again');
          const state = rolloutState(deployment);
          if (state.done) return true;
          if ('failed' in state) throw new RolloutFailed(name, state.failed);
          if (state.waiting !== waiting) ctx.log(`${name}: ${(waiting = state.waiting)}`);
          return undefined;
        },
        timeoutMs,
        signal: ctx.signal,
        timedOut: () => new RolloutFailed(name, `not rolled out within ${Math.round(timeoutMs / 1000)}s (${waiting || 'no progress reported'})`),
      }).catch((error: unknown) => {
        throw error instanceof RolloutFailed ? error : kubeFailure(error, `waiting for the rollout of ${name}`, USER);
      });
    },
  };
}

/** A rollout that failed or timed out; `diagnose` adds the workload's conditions and its pods' events. */
export class RolloutFailed extends Error {
  constructor(
    readonly workload: string,
    readonly reason: string,
  ) {
    super(`${workload}: ${reason}`);
  }
}
