import { CONCOURSE_BASE_TYPE_REPOSITORIES, type ResourceTypeCatalog } from './concourse-base-types.js';
import { asRecord, asString, records, type LooseRecord } from './loose.js';
import { pipelineJobs } from './step-tree.js';

/** Something that runs in an image, so in the sandbox, and the image it runs in. */
export interface ImageUse {
  /** `resource type s3`, `task unit in job test`. */
  what: string;
  /** The registry the image comes from (`docker.io`, `127.0.0.1:5000`), when a registry-image names it. */
  registry?: string;
  /** `concourse/s3-resource`, as the pipeline (or Concourse, for a base type) names it. */
  repository?: string;
  /** A Concourse base type weir runs from Docker Hub's image unless the operator names a mirror. */
  baseType: boolean;
}

/**
 * What a run of a valid pipeline needs of the host beyond weir itself: the resource types it
 * uses that run from images (declared under resource_types, or Concourse base types weir has no
 * built-in for) and the tasks that name an image. Each of them runs in the sandbox, so the host
 * needs bubblewrap, and the registry its image comes from must be reachable. Pure: `weir
 * validate` says it without an engine.
 */
export function pipelineRunNeeds(pipeline: unknown, catalog: ResourceTypeCatalog): ImageUse[] {
  const config = asRecord(pipeline) ?? {};
  const declared = new Map(records(config.resource_types).flatMap(([, type]) => (typeof type.name === 'string' ? [[type.name, type] as const] : [])));
  const uses = new Map<string, ImageUse>();
  const addType = (name: string, chain: readonly string[]): void => {
    if (uses.has(`type:${name}`) || chain.includes(name)) return;
    const declaration = declared.get(name);
    // A type whose `type:` is its own name is fetched by the built-in of that name.
    if (declaration && chain.at(-1) !== name) {
      uses.set(`type:${name}`, { what: `resource type ${name}`, ...imageOf(declaration), baseType: false });
      const fetcher = asString(declaration.type);
      if (fetcher !== undefined) addType(fetcher, [...chain, name]);
      return;
    }
    if (catalog.builtin.has(name)) return;
    const repository = CONCOURSE_BASE_TYPE_REPOSITORIES[name];
    if (repository !== undefined) uses.set(`type:${name}`, { what: `resource type ${name}`, registry: 'docker.io', repository, baseType: true });
  };
  for (const [, resource] of records(config.resources)) {
    const type = asString(resource.type);
    if (type !== undefined) addType(type, []);
  }
  for (const { job, steps } of pipelineJobs(config)) {
    for (const { step } of steps) {
      const image = asRecord(asRecord(step.config)?.image_resource);
      const task = asString(step.task);
      if (image === undefined || task === undefined) continue;
      const type = asString(image.type);
      if (type !== undefined) addType(type, []);
      uses.set(`task:${String(job.name)}/${task}`, { what: `task ${task} in job ${String(job.name)}`, ...imageOf(image), baseType: false });
    }
  }
  return [...uses.values()];
}

/** The registry and repository of a registry-image source; nothing for an image another type fetches. */
function imageOf(fetched: LooseRecord): Pick<ImageUse, 'registry' | 'repository'> {
  const repository = asString(asRecord(fetched.source)?.repository);
  if (fetched.type !== 'registry-image' || repository === undefined || repository.includes('((')) return {};
  return { registry: registryOf(repository), repository };
}

/** Docker's rule: the first component names a registry when it has a dot or a port or is localhost. */
function registryOf(repository: string): string {
  const first = repository.split('/')[0]!;
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/**
 * What `weir validate` says of the needs, one sentence each: bubblewrap for everything that
 * runs in an image, and the registries those images come from. Empty when the pipeline runs
 * only weir's built-ins on the host.
 */
export function describeRunNeeds(uses: readonly ImageUse[]): string[] {
  if (uses.length === 0) return [];
  const notes = [
    `a run needs bubblewrap on the engine's host (Debian/Ubuntu: apt-get install bubblewrap): ${listed(uses.map((use) => use.what))} ${uses.length === 1 ? 'runs' : 'run'} in ${uses.length === 1 ? 'its image' : 'their images'}, sandboxed`,
  ];
  const registries = [...new Set(uses.flatMap((use) => (use.registry === undefined ? [] : [use.registry])))];
  if (registries.length > 0) {
    notes.push(`a run needs the engine to reach the image ${registries.length === 1 ? 'registry' : 'registries'} ${listed(registries)}`);
  }
  const base = uses.filter((use) => use.baseType);
  if (base.length > 0) {
    notes.push(
      `${listed(base.map((use) => use.what))} ${base.length === 1 ? 'is a Concourse base type' : 'are Concourse base types'} that weir runs from Docker Hub (${listed(base.map((use) => use.repository!))}); an engine without access to Docker Hub takes a mirror: weir up --resource-type-mirror`,
    );
  }
  return notes;
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
