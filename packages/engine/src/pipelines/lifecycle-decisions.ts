import { ENGINE_STOPPED } from '../runner/stop-reasons.js';
import type { InstanceVars } from '../store/records.js';
import type { LifecycleRow } from '../store/pipeline-store.js';

export type LifecycleAction =
  /** Tear the pipeline down (its teardown job runs first, if it has one), then archive it. */
  | { kind: 'retire'; pipelineId: number; reason: string }
  /** Its teardown succeeded: archive it now. */
  | { kind: 'archive'; pipelineId: number; reason: string };

export interface LifecycleDecisions {
  actions: LifecycleAction[];
  /** When the next lease runs out, if any does: the loop looks again then. */
  nextDueAt: number | undefined;
}

/**
 * Which pipelines their parents let go, and which finished tearing down. A parent lets a
 * pipeline go as Concourse does: its job was removed, its pipeline archived or destroyed, or a
 * later build of the job succeeded without setting it. `expire_after` adds a lease that runs out
 * when the job stops setting it at all, counted from when it was set or the engine started. Pure: decided from stored state only, so a pass that
 * was cut short is simply made again.
 */
export function decideLifecycle(rows: readonly LifecycleRow[], now: number, options: { runningSince?: number } = {}): LifecycleDecisions {
  const actions: LifecycleAction[] = [];
  let nextDueAt: number | undefined;
  for (const row of rows) {
    if (row.retiring !== null) {
      const teardown = row.lastTeardown;
      const current = teardown !== null && teardown.id >= (row.teardownBuildId ?? 0);
      if (row.teardownJobId === null || (current && teardown.status === 'succeeded')) {
        actions.push({ kind: 'archive', pipelineId: row.id, reason: row.retiring });
      } else if (current && teardown.status === 'errored' && teardown.error?.startsWith(ENGINE_STOPPED) === true) {
        // Cut short by a stop or crash, not failed: the teardown is owed, so it runs again. A
        // teardown that failed on its own waits for a person (`weir archive-pipeline` retries it).
        actions.push({ kind: 'retire', pipelineId: row.id, reason: row.retiring });
      }
      continue;
    }
    const parent = row.parent;
    if (parent === null) continue;
    const child = describe(row.name, row.instanceVars);
    if (parent.label === null || !parent.jobActive) {
      actions.push({ kind: 'retire', pipelineId: row.id, reason: `${child}: the job that set it (${parent.label ?? 'deleted with its pipeline'}) is gone` });
    } else if (parent.pipelineArchived) {
      actions.push({ kind: 'retire', pipelineId: row.id, reason: `${child}: the pipeline of ${parent.label}, which set it, was archived` });
    } else if (parent.lastSucceeded !== null && parent.lastSucceeded.id > parent.buildId) {
      actions.push({ kind: 'retire', pipelineId: row.id, reason: `${child}: build ${parent.lastSucceeded.name} of ${parent.label} succeeded without setting it` });
    } else if (row.expireAfterMs !== null) {
      // Time the engine was down does not count: its parent could not renew it then.
      const dueAt = Math.max(parent.setAt, options.runningSince ?? 0) + row.expireAfterMs;
      if (dueAt <= now) {
        actions.push({ kind: 'retire', pipelineId: row.id, reason: `${child}: ${parent.label} has not set it for ${describeMs(row.expireAfterMs)} (expire_after)` });
      } else if (nextDueAt === undefined || dueAt < nextDueAt) {
        nextDueAt = dueAt;
      }
    }
  }
  return { actions, nextDueAt };
}

function describe(name: string, instanceVars: InstanceVars): string {
  const vars = Object.entries(instanceVars).map(([key, value]) => `${key}:${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return vars.length === 0 ? name : `${name}/${vars.join(',')}`;
}

function describeMs(ms: number): string {
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text === '' ? `${rest}ms` : text;
}
