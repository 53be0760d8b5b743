import type { TaskContainerLimits } from '../executor.js';

/**
 * What the build log says about `container_limits`. CPU shares and a memory ceiling need a
 * cgroup of the task's own, which an engine without root (and without a delegated cgroup
 * subtree) cannot make; so none is applied, and the build log says so rather than let a user
 * believe a runaway task is contained. 0 means no limit, as in Concourse.
 */
export function containerLimitNotices(limits: TaskContainerLimits | undefined): string[] {
  const asked: string[] = [];
  if (limits?.cpu !== undefined && limits.cpu !== 0) asked.push(`cpu: ${limits.cpu}`);
  if (limits?.memory !== undefined && limits.memory !== 0 && limits.memory !== '0') asked.push(`memory: ${limits.memory}`);
  if (asked.length === 0) return [];
  return [`container_limits (${asked.join(', ')}) not applied: the sandbox runs without root and sets no cgroup limits; the task shares this machine's CPU and memory`];
}
