import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { INPUTS_CONTAINER, OUTPUTS_CONTAINER, TASK_CONTAINER } from './task-pod.js';

/** What a task's pod is doing, as far as the engine must act on it. */
export type PodStage =
  | { stage: 'pending' }
  /** The scheduler found no node; `message` is its own (the FailedScheduling event's words). */
  | { stage: 'unschedulable'; message: string }
  /** The init container is running: the engine sends the inputs now. */
  | { stage: 'inputs-wanted' }
  /** The task's container is running: its log can be followed. */
  | { stage: 'running' }
  | { stage: 'exited'; exitStatus: number; outputsReachable: boolean }
  /** The cluster will not run the task: each `code` gets its hint where it is turned into an error. */
  | { stage: 'refused'; code: PodRefusal; message: string };

export type PodRefusal = 'image-pull-failed' | 'container-create-failed' | 'oom-killed' | 'pod-failed';

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const CREATE_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreCreateHookError', 'PreStartHookError']);

/**
 * Reads a task pod's status. Pure: the loop that watches the pod decides what to do with each
 * stage (send inputs, follow the log, collect outputs, error the build with the cluster's words).
 */
export function podStage(pod: V1Pod): PodStage {
  const status = pod.status ?? {};
  const init = status.initContainerStatuses ?? [];
  const containers = status.containerStatuses ?? [];
  for (const container of [...init, ...containers]) {
    const refused = waitingRefusal(container);
    if (refused) return refused;
  }
  const task = containers.find((container) => container.name === TASK_CONTAINER);
  const terminated = task?.state?.terminated;
  if (terminated) {
    if (terminated.reason === 'OOMKilled') {
      const limit = pod.spec?.containers.find((container) => container.name === TASK_CONTAINER)?.resources?.limits?.memory;
      return {
        stage: 'refused',
        code: 'oom-killed',
        message: `the task's container was OOMKilled (exit code ${terminated.exitCode}): ${limit === undefined ? 'it has no memory limit, so the node ran out of memory' : `it used more than its memory limit of ${describeMemory(limit)}`}`,
      };
    }
    // The runtime could not exec the command (a missing run.path, a missing shell): the task never ran, so no exit status of its own.
    if (terminated.reason === 'StartError') {
      return { stage: 'refused', code: 'container-create-failed', message: `container ${TASK_CONTAINER} cannot start: StartError${terminated.message ? `: ${terminated.message}` : ''}` };
    }
    const helper = containers.find((container) => container.name === OUTPUTS_CONTAINER);
    return { stage: 'exited', exitStatus: terminated.exitCode, outputsReachable: helper?.state?.running !== undefined };
  }
  const inputs = init.find((container) => container.name === INPUTS_CONTAINER);
  const inputsEnded = inputs?.state?.terminated;
  if (inputsEnded && inputsEnded.exitCode !== 0) {
    return { stage: 'refused', code: 'pod-failed', message: `the inputs container ended with exit code ${inputsEnded.exitCode}${inputsEnded.message ? `: ${inputsEnded.message}` : ''}` };
  }
  if (status.phase === 'Failed') {
    return { stage: 'refused', code: 'pod-failed', message: [status.reason, status.message].filter(Boolean).join(': ') || 'the pod failed before the task ran' };
  }
  if (task?.state?.running) return { stage: 'running' };
  if (inputs?.state?.running) return { stage: 'inputs-wanted' };
  const scheduled = (status.conditions ?? []).find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') return { stage: 'unschedulable', message: scheduled.message ?? 'no node can run the pod' };
  return { stage: 'pending' };
}

function waitingRefusal(container: V1ContainerStatus): PodStage | undefined {
  const waiting = container.state?.waiting;
  if (!waiting?.reason) return undefined;
  const said = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  if (PULL_FAILURES.has(waiting.reason)) return { stage: 'refused', code: 'image-pull-failed', message: `container ${container.name} cannot pull ${container.image}: ${said}` };
  if (CREATE_FAILURES.has(waiting.reason)) return { stage: 'refused', code: 'container-create-failed', message: `container ${container.name} cannot start: ${said}` };
  return undefined;
}

/** A memory quantity as the pod spec holds it, with MiB for a plain number of bytes (weir writes container_limits.memory so). */
function describeMemory(quantity: string): string {
  if (!/^\d+$/.test(quantity)) return quantity;
  const mib = Number(quantity) / 2 ** 20;
  return `${quantity} bytes (${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB)`;
}
