import type { Version } from '@weir/resources';
import { globMatcher, isGlob } from '../config/glob.js';
import { asRecord, type LooseRecord } from '../config/loose.js';
import { allJobSteps, stepResourceName } from '../config/step-tree.js';
import type { InputVersionPolicy, JobId, JobInput, ResourceId, VersionId } from './snapshot.js';

export interface JobInputContext {
  resourceIds: ReadonlyMap<string, ResourceId>;
  /** Jobs of the pipeline in config order, for expanding `passed` globs. */
  jobIds: ReadonlyMap<string, JobId>;
  /** The newest version of the resource whose fields include `fields`, or null. */
  findVersion(resourceId: ResourceId, fields: Version): VersionId | null;
}

/**
 * A job's `get` steps as scheduler inputs: every get anywhere in the plan (hooks included, as
 * Concourse collects them), names resolved to ids and `passed` globs expanded.
 */
export function jobInputsFromConfig(job: LooseRecord, context: JobInputContext): JobInput[] {
  const inputs: JobInput[] = [];
  const seen = new Set<string>();
  for (const visit of allJobSteps(job, [])) {
    if (!visit.kinds.includes('get')) continue;
    const step = visit.step;
    const name = step.get;
    const resourceName = stepResourceName(step, 'get');
    if (typeof name !== 'string' || typeof resourceName !== 'string' || seen.has(name)) continue;
    const resourceId = context.resourceIds.get(resourceName);
    if (resourceId === undefined) continue;
    seen.add(name);
    inputs.push({
      name,
      resourceId,
      resourceName,
      passed: expandPassed(step.passed, context.jobIds),
      version: versionPolicy(step.version, resourceId, context),
      trigger: step.trigger === true,
    });
  }
  return inputs;
}

/** `serial` and `serial_groups` mean one build at a time, as in Concourse; else `max_in_flight`. */
export function jobMaxInFlight(job: LooseRecord): number | null {
  const groups = job.serial_groups;
  if (job.serial === true || (Array.isArray(groups) && groups.length > 0)) return 1;
  return typeof job.max_in_flight === 'number' && job.max_in_flight > 0 ? job.max_in_flight : null;
}

function expandPassed(passed: unknown, jobIds: ReadonlyMap<string, JobId>): JobInput['passed'] {
  const out: Array<{ jobId: JobId; jobName: string }> = [];
  const added = new Set<JobId>();
  for (const pattern of Array.isArray(passed) ? passed : []) {
    if (typeof pattern !== 'string') continue;
    if (!isGlob(pattern)) {
      const jobId = jobIds.get(pattern);
      if (jobId !== undefined && !added.has(jobId)) {
        added.add(jobId);
        out.push({ jobId, jobName: pattern });
      }
      continue;
    }
    const matches = globMatcher(pattern);
    for (const [jobName, jobId] of jobIds) {
      if (matches(jobName) && !added.has(jobId)) {
        added.add(jobId);
        out.push({ jobId, jobName });
      }
    }
  }
  return out;
}

function versionPolicy(version: unknown, resourceId: ResourceId, context: JobInputContext): InputVersionPolicy {
  if (version === 'every') return { kind: 'every' };
  const fields = asRecord(version);
  if (!fields) return { kind: 'latest' };
  const pinned: Version = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
  return { kind: 'pinned', fields: pinned, versionId: context.findVersion(resourceId, pinned) };
}
