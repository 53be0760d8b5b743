import { WeirError } from '../../errors.js';

/** What the operator allows tasks (`weir up` options). */
export interface TaskPolicy {
  /** A task without an image runs on this host, unsandboxed; otherwise it errors. */
  allowHostTasks: boolean;
  /** `privileged: true` is honoured (as far as a sandbox without root can); otherwise it errors. */
  allowPrivileged: boolean;
  /** Where tasks with an image run by default: this host's sandbox, or the cluster (`weir up --task-executor`). */
  imageTasks?: 'sandbox' | 'kubernetes';
  /** Tags that send a task with an image to the cluster whatever the default (`weir up --kubernetes-tag`). */
  clusterTags?: readonly string[];
}

export type TaskPlacement = 'sandbox' | 'host' | 'kubernetes';

/**
 * Where a task runs: when it has an image, in the sandbox or, where the operator says so by
 * default or by tag, as a pod on the cluster; on this host when it has none and the operator
 * allows that (a pod needs an image to run). Pure, so the rule and its errors are tested in one place.
 *
 * `hermetic: true` is a promise about what the task can reach (a build proven to need no network,
 * secrets that cannot leave): only the sandbox keeps it, so a hermetic task placed anywhere else
 * errors rather than running with the network it asked not to have.
 */
export function placeTask(task: { hasImage: boolean; privileged: boolean; hermetic?: boolean; tags?: readonly string[] }, policy: TaskPolicy, location: string): TaskPlacement {
  if (task.privileged && !policy.allowPrivileged) {
    throw new WeirError('task-privileged-refused', 'the task asks for privileged: true, which this engine does not allow', {
      location,
      hint: 'drop privileged: true, or, if every pipeline set on this engine is trusted, start weir up with --allow-privileged',
    });
  }
  if (task.hasImage) {
    const tagged = (task.tags ?? []).some((tag) => policy.clusterTags?.includes(tag));
    const placement = policy.imageTasks === 'kubernetes' || tagged ? 'kubernetes' : 'sandbox';
    if (placement === 'kubernetes' && task.hermetic === true) {
      throw new WeirError('task-hermetic-unsupported', 'the task asks for hermetic: true, and a pod on the cluster cannot be cut off from the network by weir', {
        location,
        hint: tagged
          ? 'run the task in the sandbox on this machine (drop the tag that sends it to the cluster), or drop hermetic: true'
          : 'run the task in the sandbox on this machine (start weir up with --task-executor sandbox, and --kubernetes-tag for the tasks that need the cluster), or drop hermetic: true',
      });
    }
    return placement;
  }
  if (policy.allowHostTasks && task.hermetic === true) {
    throw new WeirError('task-hermetic-unsupported', 'the task asks for hermetic: true, and a task without an image runs on this host, with its network', {
      location,
      hint: 'give the task an image (image_resource, or image: on the step) so that it runs in the sandbox, where hermetic: true gives it no network',
    });
  }
  if (policy.allowHostTasks) return 'host';
  throw new WeirError('task-image-missing', 'the task has no image_resource and no image, and this engine runs tasks only in their images', {
    location,
    hint: 'give the task an image_resource (e.g. type: registry-image, source: {repository: busybox}), or, if every pipeline set on this engine is trusted, start weir up with --allow-host-tasks to run image-less tasks on this host, unsandboxed',
  });
}
