import { createHash, randomBytes } from 'node:crypto';
import type { KubeObject, ObjectStore, StoreEvent } from './object-store.js';

export interface DeploymentTimings {
  /** How long a new pod takes to pull its images and become ready. */
  podReadyAfterMs: number;
  /** How long a rollout may make no progress before its Progressing condition turns False. */
  progressDeadlineMs: number;
}

const TEMPLATE_HASH_LABEL = 'pod-template-hash';

/**
 * The deployment controller and the kubelet, as far as a client sees them: a changed pod
 * template gets new pods labelled with its hash; they become ready once their images pull,
 * then the old pods go. An image that cannot be pulled leaves its pods waiting with the
 * kubelet's events, and the rollout times out as `ProgressDeadlineExceeded`.
 */
export class SimulatedDeploymentController {
  /** Images that fail to pull, with the registry's message. */
  readonly unpullableImages = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private eventCount = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly timings: DeploymentTimings,
  ) {
    this.unsubscribe = store.subscribe((event) => this.react(event));
  }

  stop(): void {
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private react(event: StoreEvent): void {
    if (event.resource !== 'deployments' || event.type === 'DELETED') {
      if (event.resource === 'deployments' && event.type === 'DELETED') this.deletePods(event.object, () => true);
      return;
    }
    const deployment = event.object;
    if ((deployment.status?.observedGeneration ?? 0) >= (deployment.metadata.generation as number)) return;
    this.rollOut(deployment);
  }

  private rollOut(deployment: KubeObject): void {
    const { namespace, name } = deployment.metadata as { namespace: string; name: string };
    const generation = deployment.metadata.generation as number;
    const hash = templateHash(deployment.spec.template);
    const replicas = (deployment.spec.replicas as number | undefined) ?? 1;
    const current = this.pods(deployment);
    const updated = current.filter((pod) => pod.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
    for (let index = updated.length; index < replicas; index += 1) updated.push(this.createPod(deployment, hash));
    const failures = this.pullFailures(deployment.spec.template);
    this.setStatus(namespace, name, generation, current.length + updated.length - current.filter((pod) => pod.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash).length, replicas, hash, 'progressing');
    if (failures.length > 0) {
      this.later(this.timings.podReadyAfterMs, () => {
        for (const pod of updated) this.failPull(pod, failures);
      });
      this.later(this.timings.progressDeadlineMs, () => {
        if (this.store.get('deployments', namespace, name)?.metadata.generation !== generation) return;
        this.setStatus(namespace, name, generation, undefined, replicas, hash, 'deadline');
      });
      return;
    }
    this.later(this.timings.podReadyAfterMs, () => {
      const live = this.store.get('deployments', namespace, name);
      if (live?.metadata.generation !== generation) return;
      for (const pod of updated) this.markReady(pod);
      this.deletePods(live, (pod) => pod.metadata.labels?.[TEMPLATE_HASH_LABEL] !== hash);
      this.setStatus(namespace, name, generation, replicas, replicas, hash, 'complete');
    });
  }

  private setStatus(namespace: string, name: string, generation: number, total: number | undefined, replicas: number, hash: string, phase: 'progressing' | 'complete' | 'deadline'): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const replicaSet = `${name}-${hash}`;
    this.store.update('deployments', namespace, name, (object) => {
      const previous = object.status ?? {};
      const available = phase === 'complete' ? replicas : Math.min(previous.availableReplicas ?? 0, replicas);
      const progressing =
        phase === 'deadline'
          ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${replicaSet}" has timed out progressing.` }
          : phase === 'complete'
            ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${replicaSet}" has successfully progressed.` }
            : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${replicaSet}" is progressing.` };
      const availableCondition =
        available >= replicas
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
      object.status = {
        observedGeneration: generation,
        replicas: total ?? previous.replicas ?? replicas,
        updatedReplicas: replicas,
        readyReplicas: available,
        availableReplicas: available,
        ...(available < replicas && { unavailableReplicas: replicas - available }),
        conditions: [availableCondition, progressing].map((condition) => ({ ...condition, lastUpdateTime: now, lastTransitionTime: now })),
      };
    });
  }

  private pods(deployment: KubeObject): KubeObject[] {
    const selector = (deployment.spec.selector?.matchLabels ?? {}) as Record<string, string>;
    return this.store
      .list('pods', deployment.metadata.namespace)
      .filter((pod) => Object.entries(selector).every(([key, value]) => pod.metadata.labels?.[key] === value) && pod.metadata.deletionTimestamp === undefined);
  }

  private deletePods(deployment: KubeObject, which: (pod: KubeObject) => boolean): void {
    for (const pod of this.pods(deployment).filter(which)) this.store.delete('pods', pod.metadata.namespace, pod.metadata.name);
  }

  private createPod(deployment: KubeObject, hash: string): KubeObject {
    const template = deployment.spec.template ?? {};
    return this.store.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${deployment.metadata.name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`,
          namespace: deployment.metadata.namespace as string,
          labels: { ...(template.metadata?.labels ?? {}), [TEMPLATE_HASH_LABEL]: hash },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment.metadata.name}-${hash}`, controller: true }],
        },
        spec: structuredClone(template.spec ?? {}),
        status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
      },
      new Date(),
    );
  }

  private markReady(pod: KubeObject): void {
    this.store.update('pods', pod.metadata.namespace, pod.metadata.name, (object) => {
      object.status = {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: (object.spec.containers ?? []).map((container: { name: string; image: string }) => ({ name: container.name, image: container.image, imageID: imageId(container.image), ready: true, state: { running: {} } })),
      };
    });
  }

  private pullFailures(template: { spec?: { containers?: Array<{ name: string; image: string }> } } | undefined): Array<{ image: string; message: string }> {
    return (template?.spec?.containers ?? []).flatMap((container) => {
      const message = this.unpullableImages.get(container.image);
      return message === undefined ? [] : [{ image: container.image, message }];
    });
  }

  private failPull(pod: KubeObject, failures: Array<{ image: string; message: string }>): void {
    const live = this.store.update('pods', pod.metadata.namespace, pod.metadata.name, (object) => {
      object.status = {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: (object.spec.containers ?? []).map((container: { name: string; image: string }) => ({
          name: container.name,
          image: container.image,
          ready: false,
          state: { waiting: failures.some((failure) => failure.image === container.image) ? { reason: 'ErrImagePull', message: failures.find((failure) => failure.image === container.image)?.message } : { reason: 'ContainerCreating' } },
        })),
      };
    });
    if (!live) return;
    for (const failure of failures) {
      this.event(live, 'Failed', `Failed to pull image "${failure.image}": ${failure.message}`);
      this.event(live, 'BackOff', `Back-off pulling image "${failure.image}"`);
    }
  }

  private event(pod: KubeObject, reason: string, message: string): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.eventCount += 1;
    this.store.create(
      'events',
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod.metadata.name}.${this.eventCount.toString(16).padStart(16, '0')}`, namespace: pod.metadata.namespace as string },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        reason,
        message,
        type: 'Warning',
        source: { component: 'kubelet' },
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      },
      new Date(),
    );
  }

  private later(delayMs: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, delayMs);
    this.timers.add(timer);
  }
}

function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').slice(0, 10);
}

/** What a kubelet reports as the running image: the digest form, as `docker-pullable://` has it. */
function imageId(image: string): string {
  return image.includes('@') ? image : `${image}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}
