/** The parts of a Deployment that say how its rollout goes. */
export interface DeploymentState {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

export type RolloutState = { done: true } | { done: false; waiting: string } | { done: false; failed: string };

/**
 * Where a Deployment's rollout stands, read as `kubectl rollout status` reads it: the controller
 * has seen the latest spec, every replica runs the new template and is available, no old
 * replica is left, and the Progressing condition has not given up.
 */
export function rolloutState(deployment: DeploymentState): RolloutState {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) return { done: false, waiting: 'the deployment controller has not seen the new spec yet' };
  const progressing = status.conditions?.find((condition) => condition.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: progressing.message ?? 'the rollout exceeded its progress deadline' };
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < wanted) return { done: false, waiting: `${updated} of ${wanted} new replicas have been updated` };
  if ((status.replicas ?? 0) > updated) return { done: false, waiting: `${(status.replicas ?? 0) - updated} old replicas are pending termination` };
  if ((status.availableReplicas ?? 0) < updated) return { done: false, waiting: `${status.availableReplicas ?? 0} of ${updated} updated replicas are available` };
  return { done: true };
}
