import { createHash } from 'node:crypto';
import type { V1Container, V1EnvVar, V1Pod, V1ResourceRequirements, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { parseByteSize } from '../../byte-size.js';
import { WeirError } from '../../errors.js';
import type { TaskContainerLimits, TaskOwner } from '../executor.js';

/** The container that runs the task, and the two helpers around it (see README.md). */
export const TASK_CONTAINER = 'task';
export const INPUTS_CONTAINER = 'weir-inputs';
export const OUTPUTS_CONTAINER = 'weir-outputs';

/** Where the helpers see the task's working directory, and the directory they signal through. */
export const HELPER_WORK_DIR = '/weir/work';
export const HELPER_CONTROL_DIR = '/weir/control';
export const INPUTS_READY = `${HELPER_CONTROL_DIR}/inputs-ready`;
export const OUTPUTS_TAKEN = `${HELPER_CONTROL_DIR}/outputs-taken`;

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const ENGINE_LABEL = 'weir.dev/engine';

/** A claim mounted into the task's container. */
export interface PodClaimMount {
  claimName: string;
  /** Absolute inside the container. */
  mountPath: string;
  readOnly: boolean;
}

export interface TaskPodRequest {
  /** This engine's id: its pods carry it, and only its pods are cleaned at its start. */
  engineId: string;
  namespace: string;
  owner?: TaskOwner;
  /** Names the pod when there is no owner (`owner.step` does otherwise); default `task`. */
  stepName?: string;
  /** The image by digest. */
  image: string;
  helperImage: string;
  /** Absolute path of the task's working directory inside the task's container. */
  workPath: string;
  run: { path: string; args: readonly string[]; dir?: string; user?: string };
  env: Record<string, string>;
  privileged: boolean;
  containerLimits?: TaskContainerLimits;
  nodeSelector?: Record<string, string>;
  claims?: readonly PodClaimMount[];
  /** How long the helpers wait for the engine before they give up (and the pod ends). */
  inputsWithinSeconds: number;
  outputsWithinSeconds: number;
  /** A few random characters that make the pod's name unique. */
  nameSuffix: string;
  location: string;
}

const WORK_VOLUME = 'weir-work';
const CONTROL_VOLUME = 'weir-control';

/**
 * The Pod that runs one task. An init container waits for the engine to unpack the inputs into
 * an emptyDir; the task's container runs the task in that directory; a second container keeps
 * the directory reachable after the task exits, so the engine can pack the outputs, whatever the
 * exit status. The pod gets no service account token and no service links: a task sees nothing
 * of the cluster the engine did not give it. Pure, so every field is tested in one place.
 */
export function taskPod(request: TaskPodRequest): V1Pod {
  const user = podUser(request.run.user, request.location);
  const helperMounts: V1VolumeMount[] = [
    { name: WORK_VOLUME, mountPath: HELPER_WORK_DIR },
    { name: CONTROL_VOLUME, mountPath: HELPER_CONTROL_DIR },
  ];
  const claimVolumes: V1Volume[] = (request.claims ?? []).map((claim, index) => ({ name: `claim-${index}`, persistentVolumeClaim: { claimName: claim.claimName, readOnly: claim.readOnly } }));
  const claimMounts: V1VolumeMount[] = (request.claims ?? []).map((claim, index) => ({ name: `claim-${index}`, mountPath: claim.mountPath, readOnly: claim.readOnly }));
  const resources = containerResources(request.containerLimits, request.location);
  const task: V1Container = {
    name: TASK_CONTAINER,
    image: request.image,
    command: [request.run.path],
    args: [...request.run.args],
    workingDir: request.run.dir === undefined || request.run.dir === '.' ? request.workPath : `${request.workPath}/${request.run.dir}`,
    env: Object.entries(request.env).map(([name, value]): V1EnvVar => ({ name, value })),
    volumeMounts: [{ name: WORK_VOLUME, mountPath: request.workPath }, ...claimMounts],
    ...(resources && { resources }),
    ...((request.privileged || user) && {
      securityContext: {
        ...(request.privileged && { privileged: true }),
        ...(user && { runAsUser: user.uid, ...(user.gid !== undefined && { runAsGroup: user.gid }) }),
      },
    }),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(request.owner, request.nameSuffix, request.stepName),
      namespace: request.namespace,
      labels: podLabels(request.engineId, request.owner),
      ...(request.owner && { annotations: ownerAnnotations(request.owner) }),
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(request.nodeSelector && Object.keys(request.nodeSelector).length > 0 && { nodeSelector: { ...request.nodeSelector } }),
      volumes: [{ name: WORK_VOLUME, emptyDir: {} }, { name: CONTROL_VOLUME, emptyDir: {} }, ...claimVolumes],
      initContainers: [
        {
          name: INPUTS_CONTAINER,
          image: request.helperImage,
          command: ['sh', '-c', waitFor(INPUTS_READY, request.inputsWithinSeconds, 'the engine sent no inputs')],
          volumeMounts: helperMounts,
        },
      ],
      containers: [
        task,
        {
          name: OUTPUTS_CONTAINER,
          image: request.helperImage,
          command: ['sh', '-c', waitFor(OUTPUTS_TAKEN, request.outputsWithinSeconds, 'the engine took no outputs')],
          volumeMounts: helperMounts,
        },
      ],
    },
  };
}

/** A bounded wait in the helper's shell: the pod never outlives a lost engine by more than `seconds`. */
function waitFor(file: string, seconds: number, giveUp: string): string {
  return `i=0; while [ ! -e ${file} ]; do i=$((i+1)); if [ $i -gt ${seconds * 5} ]; then echo "weir: ${giveUp} within ${seconds}s" >&2; exit 1; fi; sleep 0.2; done`;
}

/** The labels a pod is found by: label values allow only 63 of `[A-Za-z0-9._-]`, so names are made to fit and kept whole in annotations. */
export function podLabels(engineId: string, owner: TaskOwner | undefined): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: 'weir',
    [ENGINE_LABEL]: labelValue(engineId),
    ...(owner && {
      'weir.dev/team': labelValue(owner.team),
      ...(owner.pipeline !== undefined && { 'weir.dev/pipeline': labelValue(owner.pipeline) }),
      ...(owner.job !== undefined && { 'weir.dev/job': labelValue(owner.job) }),
      'weir.dev/build': String(owner.buildId),
    }),
  };
}

function ownerAnnotations(owner: TaskOwner): Record<string, string> {
  return {
    'weir.dev/team': owner.team,
    ...(owner.pipeline !== undefined && { 'weir.dev/pipeline': owner.pipeline }),
    ...(owner.job !== undefined && { 'weir.dev/job': owner.job }),
    'weir.dev/build-name': owner.buildName,
    'weir.dev/step': owner.step,
  };
}

/** A label value for any text: the text when it fits, else what fits and a hash of the whole, so two long names stay apart. */
export function labelValue(text: string): string {
  if (/^([A-Za-z0-9][-A-Za-z0-9_.]{0,61}[A-Za-z0-9]|[A-Za-z0-9]?)$/.test(text)) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  const kept = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 54).replace(/[^A-Za-z0-9]+$/, '');
  return kept === '' ? hash : `${kept}-${hash}`;
}

/** `weir-<build id>-<step>-<suffix>`, a DNS label of at most 63 characters. */
export function podName(owner: TaskOwner | undefined, suffix: string, stepName = 'task'): string {
  const step = (owner?.step ?? stepName).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30).replace(/-+$/, '');
  const build = owner ? `${owner.buildId}-` : '';
  return `weir-${build}${step === '' ? 'task' : step}-${suffix}`;
}

/**
 * `run.user` as Kubernetes takes it: a numeric uid, optionally `:gid`. A user name would need the
 * image's /etc/passwd, which only the node has; Kubernetes itself runs names only through the
 * image's own USER.
 */
function podUser(user: string | undefined, location: string): { uid: number; gid?: number } | undefined {
  if (user === undefined || user === '') return undefined;
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) {
    throw new WeirError('kubernetes-user-not-numeric', `run.user is "${user}"; a task on Kubernetes runs as a numeric user id`, {
      location,
      hint: 'give run.user as a uid or uid:gid (e.g. 1000:1000), or set USER in the image, which Kubernetes honours',
    });
  }
  return { uid: Number(match[1]), ...(match[2] !== undefined && { gid: Number(match[2]) }) };
}

/**
 * `container_limits` as requests and limits. Concourse's `cpu` is CPU shares, a relative weight
 * where 1024 is one CPU, which is what a CPU request becomes on the node; so it is a request,
 * not a limit. `memory` is a ceiling, so it is both the request and the limit (the scheduler must
 * find the memory the task may use). 0 means none, as in Concourse.
 */
export function containerResources(limits: TaskContainerLimits | undefined, location: string): V1ResourceRequirements | undefined {
  const requests: Record<string, string> = {};
  const ceilings: Record<string, string> = {};
  if (limits?.cpu !== undefined && limits.cpu !== 0) {
    if (!Number.isInteger(limits.cpu) || limits.cpu < 0) {
      throw new WeirError('task-container-limits-invalid', `container_limits.cpu is ${limits.cpu}; it is CPU shares, a whole number (1024 is one CPU)`, { location, hint: 'write e.g. cpu: 512 for half a CPU' });
    }
    requests.cpu = `${Math.max(1, Math.round((limits.cpu * 1000) / 1024))}m`;
  }
  if (limits?.memory !== undefined && limits.memory !== 0 && limits.memory !== '0') {
    const bytes = parseByteSize(limits.memory);
    if (bytes === undefined) {
      throw new WeirError('task-container-limits-invalid', `container_limits.memory is ${JSON.stringify(limits.memory)}, which is not a size`, { location, hint: 'write a number of bytes or a size such as 512MB or 2GiB' });
    }
    requests.memory = String(bytes);
    ceilings.memory = String(bytes);
  }
  if (Object.keys(requests).length === 0) return undefined;
  return { requests, ...(Object.keys(ceilings).length > 0 && { limits: ceilings }) };
}
