import { asArray, asString, records, type LooseRecord } from '../loose.js';
import { error, type PathSegment, type Problem } from '../problem.js';
import { allJobSteps, stepResourceName } from '../step-tree.js';
import { suggest } from '../suggest.js';
import { globMatcher } from '../glob.js';
import type { Rule } from './rule.js';

interface JobUsage {
  name: string;
  resources: Set<string>;
}

function jobUsages(config: LooseRecord): JobUsage[] {
  const usages: JobUsage[] = [];
  for (const [index, job] of records(config.jobs)) {
    const name = asString(job.name);
    if (name === undefined) continue;
    const resources = new Set<string>();
    for (const visit of allJobSteps(job, ['jobs', index])) {
      for (const kind of ['get', 'put'] as const) {
        if (!visit.kinds.includes(kind)) continue;
        const resource = asString(stepResourceName(visit.step, kind));
        if (resource !== undefined) resources.add(resource);
      }
    }
    usages.push({ name, resources });
  }
  return usages;
}

/**
 * get/put steps name declared resources; `passed` names jobs that exist and touch the same
 * resource; every declared resource is used; a job does not get two artifacts with one name.
 */
export const resourceReferences: Rule = ({ config }) => {
  const problems: Problem[] = [];
  const declared = records(config.resources)
    .map(([, r]) => asString(r.name))
    .filter((n): n is string => n !== undefined);
  const declaredSet = new Set(declared);
  const usages = jobUsages(config);
  const used = new Set<string>();

  for (const [jobIndex, job] of records(config.jobs)) {
    const getNames = new Map<string, PathSegment[]>();
    for (const { step, path, kinds } of allJobSteps(job, ['jobs', jobIndex])) {
      for (const kind of ['get', 'put'] as const) {
        if (!kinds.includes(kind)) continue;
        const resource = asString(stepResourceName(step, kind));
        if (resource === undefined) continue;
        used.add(resource);
        const at: PathSegment[] = [...path, step.resource !== undefined ? 'resource' : kind];
        if (!declaredSet.has(resource)) {
          const guess = suggest(resource, declared);
          problems.push(error('unknown-resource', at, `${kind} step uses resource "${resource}", which is not declared under resources`, guess ? `did you mean "${guess}"?` : 'declare it under resources, or fix the name'));
        }
        if (kind === 'get') {
          const name = asString(step.get);
          if (name !== undefined) {
            if (getNames.has(name)) {
              problems.push(error('duplicate-get-name', [...path, 'get'], `the job already gets an artifact named "${name}"`, 'give one of the get steps another name and set `resource:`'));
            } else getNames.set(name, path);
          }
          problems.push(...checkPassed(step, path, resource, usages));
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

function checkPassed(step: LooseRecord, path: PathSegment[], resource: string, usages: JobUsage[]): Problem[] {
  const problems: Problem[] = [];
  asArray(step.passed).forEach((entry, i) => {
    const pattern = asString(entry);
    if (pattern === undefined) return;
    const at = [...path, 'passed', i];
    const matches = globMatcher(pattern);
    const jobs = usages.filter((u) => matches(u.name));
    if (jobs.length === 0) {
      const guess = suggest(pattern, usages.map((u) => u.name));
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
