import { createHash } from 'node:crypto';
import type { Version } from '@weir/resources';
import { globMatcher, isGlob } from '../config/glob.js';
import { asRecord, type LooseRecord } from '../config/loose.js';
import type { PipelineConfig } from '../config/schema/index.js';
import { allJobSteps, stepResourceName } from '../config/step-tree.js';
import { hasSecretReferences } from '../secrets/substitute-vars.js';
import { canonicalJson } from '../store/canonical-json.js';
import type { JobSave, PipelineSave, ResourceSave } from '../store/pipeline-store.js';
import type { PipelineRef } from '../store/records.js';

/**
 * What the store keeps of a validated pipeline besides its text: resources with the key of
 * the history they share, and per job the resources and upstream jobs whose changes can
 * change its next build. Configs are in their canonical JSON text already, so a save made in a
 * worker thread reaches the store as strings (a few copies) rather than an object graph to
 * clone and serialise again on the engine's thread. Pure, so it is tested without a database.
 */
export function planPipelineSave(
  config: PipelineConfig,
  ref: PipelineRef,
  options: { expectedConfigVersion?: number; pausedIfNew?: boolean; parent?: PipelineSave['parent'] } = {},
): PipelineSave {
  const resourceTypes = new Map((config.resource_types ?? []).map((type) => [type.name, type as unknown as LooseRecord]));
  const resources: ResourceSave[] = (config.resources ?? []).map((resource) => ({
    name: resource.name,
    ...(resource.old_name !== undefined && { oldName: resource.old_name }),
    type: resource.type,
    configJson: canonicalJson(resource),
    scopeKey: scopeKey(resource.type, resource.source ?? {}, resourceTypes, secretLookupScope(resource.source, ref)),
    configPin: pinFromConfig(resource.version),
  }));
  const jobNames = (config.jobs ?? []).map((job) => job.name);
  const jobNameSet = new Set(jobNames);
  const jobs: JobSave[] = (config.jobs ?? []).map((job) => {
    const inputResources = new Set<string>();
    const upstreamJobs = new Set<string>();
    for (const visit of allJobSteps(job as unknown as LooseRecord, [])) {
      if (!visit.kinds.includes('get')) continue;
      const resource = stepResourceName(visit.step, 'get');
      if (typeof resource === 'string') inputResources.add(resource);
      for (const pattern of Array.isArray(visit.step.passed) ? visit.step.passed : []) {
        if (typeof pattern !== 'string') continue;
        // A plain name is looked up: comparing it with every job made 2,000 chained jobs 4M comparisons.
        if (!isGlob(pattern)) {
          if (jobNameSet.has(pattern)) upstreamJobs.add(pattern);
          continue;
        }
        const matches = globMatcher(pattern);
        for (const name of jobNames) if (matches(name)) upstreamJobs.add(name);
      }
    }
    return {
      name: job.name,
      ...(job.old_name !== undefined && { oldName: job.old_name }),
      configJson: canonicalJson(job),
      inputResources: [...inputResources],
      upstreamJobs: [...upstreamJobs],
      serialGroups: job.serial_groups ?? [],
    };
  });
  return {
    ref,
    configJson: canonicalJson(config),
    ...(options.expectedConfigVersion !== undefined && { expectedConfigVersion: options.expectedConfigVersion }),
    ...(options.pausedIfNew !== undefined && { pausedIfNew: options.pausedIfNew }),
    ...(options.parent !== undefined && { parent: options.parent }),
    resources,
    jobs,
  };
}

/**
 * Identical resources share a history when their type and source are equal, and for a type
 * declared under `resource_types`, that declaration (and its own type's) too: the same source
 * read by a different image, or with other defaults under it, is a different resource.
 */
export function scopeKey(type: string, source: unknown, resourceTypes: ReadonlyMap<string, LooseRecord>, secretScope?: string): string {
  const chain: unknown[] = [];
  const seen = new Set<string>();
  let current: LooseRecord | undefined = resourceTypes.get(type);
  while (current && typeof current.name === 'string' && !seen.has(current.name)) {
    seen.add(current.name);
    chain.push({
      type: current.type,
      source: current.source ?? {},
      params: current.params ?? {},
      privileged: current.privileged ?? false,
      // Only when given, so that the histories of types declared without defaults keep their keys.
      ...(current.defaults !== undefined && { defaults: current.defaults }),
    });
    current = typeof current.type === 'string' ? resourceTypes.get(current.type) : undefined;
  }
  return createHash('sha256').update(canonicalJson({ type, source, chain, ...(secretScope !== undefined && { secretScope }) })).digest('hex');
}

/**
 * A source with secret references reads different values in different pipelines (a pipeline's
 * own secret wins over its team's): such resources share a history only within one pipeline.
 */
function secretLookupScope(source: unknown, ref: PipelineRef): string | undefined {
  if (!hasSecretReferences(source)) return undefined;
  return `${ref.team ?? 'main'}/${ref.name}`;
}

function pinFromConfig(version: unknown): Version | null {
  const fields = asRecord(version);
  if (!fields) return null;
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
}
