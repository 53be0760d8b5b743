import { asArray, asString, records, type LooseRecord } from '../loose.js';
import { error, type PathSegment, type Problem } from '../problem.js';
import { stepResourceName, type PipelineJob } from '../step-tree.js';
import { suggest } from '../suggest.js';
import { globMatcher, isGlob } from '../glob.js';
import type { Rule } from './rule.js';

const RESOURCE_STEP_KINDS = ['get', 'put'] as const;

interface JobUsage {
  name: string;
  resources: Set<string>;
}

/** Which resources each named job gets or puts, in job order, and by name for `passed` entries that are plain names. */
interface JobUsages {
  all: JobUsage[];
  byName: Map<string, JobUsage[]>;
}

function jobUsages(jobs: readonly PipelineJob[]): JobUsages {
  const all: JobUsage[] = [];
  const byName = new Map<string, JobUsage[]>();
  for (const { job, steps } of jobs) {
    const name = asString(job.name);
    if (name === undefined) continue;
    const resources = new Set<string>();
    for (const visit of steps) {
      for (const kind of RESOURCE_STEP_KINDS) {
        if (!visit.kinds.includes(kind)) continue;
        const resource = asString(stepResourceName(visit.step, kind));
        if (resource !== undefined) resources.add(resource);
      }
    }
    const usage = { name, resources };
    all.push(usage);
    // Duplicate job names are reported elsewhere; each still counts here, as it would when filtering `all`.
    const named = byName.get(name);
    if (named) named.push(usage);
    else byName.set(name, [usage]);
  }
  return { all, byName };
}

/**
 * get/put steps name declared resources; `passed` names jobs that exist and touch the same
 * resource; every declared resource is used; a job does not get two artifacts with one name.
 */
export const resourceReferences: Rule = ({ config, jobs }) => {
  const problems: Problem[] = [];
  const declared = records(config.resources)
    .map(([, r]) => asString(r.name))
    .filter((n): n is string => n !== undefined);
  const declaredSet = new Set(declared);
  const usages = jobUsages(jobs);
  const used = new Set<string>();

  for (const { steps } of jobs) {
    const getNames = new Map<string, PathSegment[]>();
    for (const { step, path, kinds } of steps) {
      for (const kind of RESOURCE_STEP_KINDS) {
        if (!kinds.includes(kind)) continue;
        const resource = asString(stepResourceName(step, kind));
        if (resource === undefined) continue;
        used.add(resource);
        if (!declaredSet.has(resource)) {
          const guess = suggest(resource, declared);
          const at: PathSegment[] = [...path, step.resource !== undefined ? 'resource' : kind];
          problems.push(error('unknown-resource', at, `${kind} step uses resource "${resource}", which is not declared under resources`, guess ? `did you mean "${guess}"?` : 'declare it under resources, or fix the name'));
        }
        if (kind === 'get') {
          const name = asString(step.get);
          if (name !== undefined) {
            if (getNames.has(name)) {
              problems.push(error('duplicate-get-name', [...path, 'get'], `the job already gets an artifact named "${name}"`, 'give one of the get steps another name and set `resource:`'));
            } else getNames.set(name, path);
          }
          if (step.passed !== undefined) problems.push(...checkPassed(step, path, resource, usages));
        }
      }
    }
  }

  for (const [index, resource] of records(config.resources)) {
    const name = asString(resource.name);
    if (name !== undefined && !used.has(name)) {
      problems.push(error('unused-resource', ['resources', index, 'name'], `resource "${name}" is not used by any job`, 'use it in a get or put step, or remove it (Concourse rejects unused resources)'));
    }
  }
  return problems;
};

function checkPassed(step: LooseRecord, path: PathSegment[], resource: string, usages: JobUsages): Problem[] {
  const problems: Problem[] = [];
  asArray(step.passed).forEach((entry, i) => {
    const pattern = asString(entry);
    if (pattern === undefined) return;
    const at = [...path, 'passed', i];
    const jobs = matchingJobs(pattern, usages);
    if (jobs.length === 0) {
      const guess = suggest(pattern, usages.all.map((u) => u.name));
      problems.push(error('passed-unknown-job', at, `passed names job "${pattern}", which does not exist`, guess ? `did you mean "${guess}"?` : 'name a job of this pipeline'));
      return;
    }
    for (const job of jobs) {
      if (!job.resources.has(resource)) {
        problems.push(error('passed-job-without-resource', at, `job "${job.name}" neither gets nor puts resource "${resource}", so no version can pass through it`, `add a get or put of "${resource}" to "${job.name}", or remove it from passed`));
      }
    }
  });
  return problems;
}

/** The jobs a `passed` entry names. Most entries are plain names: looked up, not tested against every job. */
function matchingJobs(pattern: string, usages: JobUsages): JobUsage[] {
  if (!isGlob(pattern)) return usages.byName.get(pattern) ?? [];
  const matches = globMatcher(pattern);
  return usages.all.filter((u) => matches(u.name));
}
