import { CandidateOrder } from './candidate-order.js';
import type { InputUsage } from './input-usage.js';
import type { JobId, JobInput, VersionFields, VersionHistory, VersionId } from './snapshot.js';

/**
 * How an input picks its version once pins are taken into account. Precedence, as Concourse's
 * `CreateInputConfigs`: a get step's `version: {..}` beats a resource-level pin, and any pin
 * beats `every`/`latest` (a pinned input is not an `every` input).
 */
export type EffectivePolicy =
  | { kind: 'step-pin'; versionId: VersionId | null; fields: VersionFields }
  | { kind: 'resource-pin'; versionId: VersionId }
  | { kind: 'latest' }
  | { kind: 'every'; lastUsed: VersionId | undefined };

export function effectivePolicy(jobId: JobId, input: JobInput, history: VersionHistory, usage: InputUsage): EffectivePolicy {
  if (input.version.kind === 'pinned') return { kind: 'step-pin', versionId: input.version.versionId, fields: input.version.fields };
  const resourcePin = history.pinnedVersion(input.resourceId);
  if (resourcePin !== undefined) return { kind: 'resource-pin', versionId: resourcePin };
  if (input.version.kind === 'every') return { kind: 'every', lastUsed: usage.latestUsed(jobId, input.name) };
  return { kind: 'latest' };
}

/** The order an unpinned input reads a newest-first list in. */
export function unpinnedOrder(policy: { kind: 'latest' } | { kind: 'every'; lastUsed: VersionId | undefined }, newestFirst: readonly VersionId[], history: VersionHistory): CandidateOrder {
  return policy.kind === 'every' ? CandidateOrder.every(newestFirst, policy.lastUsed, history) : CandidateOrder.latest(newestFirst, history);
}
