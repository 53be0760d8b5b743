import { globMatcher } from '../config/glob.js';
import { asArray, asRecord, asString, records, type LooseRecord } from '../config/loose.js';
import { allJobSteps, stepResourceName } from '../config/step-tree.js';

/**
 * A pipeline as Concourse draws it: jobs and resources as nodes; a get without `passed` is an
 * edge from its resource, a get with `passed` an edge from each job it names (the resource the
 * versions travel through labels it), a put an edge to its resource. An edge is solid when a
 * new version triggers the job, dashed when it does not.
 */
export interface PipelineGraph {
  jobs: Array<{ name: string; groups: string[] }>;
  resources: Array<{ name: string; type: string }>;
  edges: GraphEdge[];
  /** The pipeline's `groups`, in order; empty when it declares none. */
  groups: Array<{ name: string; jobs: string[] }>;
}

export interface GraphEdge {
  /** `job:NAME` or `resource:NAME`. */
  from: string;
  to: string;
  /** The resources whose versions flow along the edge. */
  resources: string[];
  /** A get from a resource, a get through `passed` jobs, or a put. */
  kind: 'input' | 'passed' | 'output';
  /** Whether a new version along the edge starts the job (`trigger: true` on any of its gets); false for puts. */
  trigger: boolean;
}

/** The graph of a stored pipeline config; names it cannot resolve are left out, not guessed. */
export function pipelineGraph(config: unknown): PipelineGraph {
  const root = asRecord(config) ?? {};
  const jobNames = records(root.jobs)
    .map(([, job]) => asString(job.name))
    .filter((name): name is string => name !== undefined);
  const resources = records(root.resources)
    .map(([, resource]) => ({ name: asString(resource.name), type: asString(resource.type) ?? '' }))
    .filter((resource): resource is { name: string; type: string } => resource.name !== undefined);
  const resourceNames = new Set(resources.map((resource) => resource.name));
  const groups = records(root.groups).map(([, group]) => ({
    name: asString(group.name) ?? '',
    jobs: matchAll(asArray(group.jobs), jobNames),
  }));

  const edges = new Map<string, GraphEdge>();
  const addEdge = (from: string, to: string, kind: GraphEdge['kind'], resource: string, trigger: boolean) => {
    const key = `${from}\n${to}`;
    const edge = edges.get(key);
    if (!edge) edges.set(key, { from, to, kind, resources: [resource], trigger });
    else {
      if (!edge.resources.includes(resource)) edge.resources.push(resource);
      edge.trigger ||= trigger;
    }
  };

  for (const [index, job] of records(root.jobs)) {
    const name = asString(job.name);
    if (name === undefined) continue;
    for (const { step } of allJobSteps(job, ['jobs', index])) {
      if ('get' in step) addGet(step, name);
      if ('put' in step) {
        const resource = asString(stepResourceName(step, 'put'));
        if (resource !== undefined && resourceNames.has(resource)) addEdge(`job:${name}`, `resource:${resource}`, 'output', resource, false);
      }
    }
  }

  function addGet(step: LooseRecord, job: string): void {
    const resource = asString(stepResourceName(step, 'get'));
    if (resource === undefined || !resourceNames.has(resource)) return;
    const trigger = step.trigger === true;
    // A glob such as `deploy-*` can match the job itself, which cannot be its own upstream.
    const upstream = matchAll(asArray(step.passed), jobNames).filter((name) => name !== job);
    if (upstream.length === 0) addEdge(`resource:${resource}`, `job:${job}`, 'input', resource, trigger);
    for (const from of upstream) addEdge(`job:${from}`, `job:${job}`, 'passed', resource, trigger);
  }

  return {
    jobs: jobNames.map((name) => ({ name, groups: groups.filter((group) => group.jobs.includes(name)).map((group) => group.name) })),
    resources,
    edges: [...edges.values()],
    groups,
  };
}

/** The job names that `patterns` (names or Concourse globs) match, in pipeline order. */
function matchAll(patterns: unknown[], names: string[]): string[] {
  const matchers = patterns.map(asString).filter((pattern): pattern is string => pattern !== undefined).map(globMatcher);
  return names.filter((name) => matchers.some((matches) => matches(name)));
}
