import type { V1Pod } from '@kubernetes/client-node';
import { ResourceError } from '../interface.js';
import { apiStatus, kubeFailure, type KubeClients, type KubeUser } from '../kube/client.js';
import { waitFor } from '../kube/wait.js';

/** A pod that mounts a claim and has not finished, as a restore with `overwrite` names it. */
export interface ClaimUser {
  pod: string;
  /** "pipeline/job #build" for a pod of a weir build (its annotations say), else undefined. */
  build?: string;
}

/**
 * The pods that keep a claim in use: those mounting it that have not finished. Kubernetes would
 * keep such a claim (its pvc-protection finalizer) until they end, so deleting it would only hang.
 */
export function claimUsers(pods: readonly V1Pod[], claim: string): ClaimUser[] {
  return pods
    .filter((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
    .filter((pod) => (pod.spec?.volumes ?? []).some((volume) => volume.persistentVolumeClaim?.claimName === claim))
    .map((pod) => {
      const annotations = pod.metadata?.annotations ?? {};
      const pipeline = annotations['weir.dev/pipeline'];
      const job = annotations['weir.dev/job'];
      const build = annotations['weir.dev/build-name'];
      return { pod: pod.metadata?.name ?? '', ...(pipeline && job && build && { build: `${pipeline}/${job} #${build}` }) };
    })
    .sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
}

/**
 * Deletes the claim a restore with `overwrite` replaces and waits until it is really gone (its
 * finalizers done), so the claim recreated under the same name is a new one. Refused while a
 * pod that has not finished mounts it.
 */
export async function deleteClaimForOverwrite(api: KubeClients, user: KubeUser, options: { namespace: string; name: string; timeoutMs: number; signal: AbortSignal; log(line: string): void }): Promise<void> {
  const { namespace, name } = options;
  const existing = await api.core.readNamespacedPersistentVolumeClaim({ name, namespace }).catch((error: unknown) => {
    if (apiStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `reading PersistentVolumeClaim ${namespace}/${name}`, user);
  });
  if (!existing) return;
  const pods = await api.core.listNamespacedPod({ namespace }).catch((error: unknown) => {
    throw kubeFailure(error, `listing the pods in ${namespace} that mount PersistentVolumeClaim ${name}`, user);
  });
  const users = claimUsers(pods.items, name);
  if (users.length > 0) {
    const named = users.map((using) => `pod ${using.pod}${using.build ? ` (build ${using.build})` : ''}`).join(', ');
    throw new ResourceError(
      'volume-snapshot-claim-in-use',
      `the PersistentVolumeClaim ${namespace}/${name} is mounted by ${named}, so overwrite cannot replace it`,
      'run the restore when that pod has finished (a serial_groups entry shared with the job that mounts the claim keeps them apart), or restore into another `to_pvc`',
    );
  }
  const uid = existing.metadata?.uid ?? '';
  if (!existing.metadata?.deletionTimestamp) {
    await api.core.deleteNamespacedPersistentVolumeClaim({ name, namespace }).catch((error: unknown) => {
      if (apiStatus(error)?.code !== 404) throw kubeFailure(error, `deleting PersistentVolumeClaim ${namespace}/${name}`, user);
    });
  }
  options.log(`deleted PersistentVolumeClaim ${namespace}/${name} to overwrite it, waiting until it is gone`);
  await waitFor<true>({
    watch: api.watch,
    path: `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    fieldSelector: `metadata.name=${name}`,
    list: () => api.core.listNamespacedPersistentVolumeClaim({ namespace, fieldSelector: `metadata.name=${name}` }),
    // Another claim of that name (someone recreated it meanwhile) means the old one is gone too.
    decide: (claim: { metadata?: { uid?: string } }, event) => (event === 'DELETED' || claim.metadata?.uid !== uid ? true : undefined),
    absent: () => true,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    timedOut: () =>
      new ResourceError(
        'volume-snapshot-claim-not-gone',
        `the PersistentVolumeClaim ${namespace}/${name} was deleted but is still there after ${Math.round(options.timeoutMs / 1000)}s`,
        'a finalizer keeps it: usually a pod that still mounts it (`kubectl describe pvc` lists them under "Used By"); once it is gone, run the put again, or raise `timeout`',
      ),
  }).catch((error: unknown) => {
    throw kubeFailure(error, `waiting for PersistentVolumeClaim ${namespace}/${name} to be gone`, user);
  });
}
