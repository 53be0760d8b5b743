import type { Engine } from '../engine.js';
import { WeirError } from '../errors.js';
import { matchInstance } from '../pipelines/instance-match.js';
import { describeRef } from '../store/pipeline-store.js';
import type { BuildRecord, InstanceVars, JobRecord, PipelineState, ResourceRecord } from '../store/records.js';

/** The `instance_vars` query (a JSON object), or undefined for a pipeline without instance vars. */
export function parseInstanceVars(text: string | undefined): InstanceVars | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WeirError('instance-vars-invalid', `instance_vars must be a JSON object, not ${JSON.stringify(text)}`, {
      hint: 'pass e.g. instance_vars={"pr":12}, URL-encoded',
    });
  }
  return value as InstanceVars;
}

/** The pipeline a request names, without its config (routes that show it read it by id). */
export function findPipeline(engine: Engine, name: string, instanceVarsText: string | undefined): PipelineState {
  const instanceVars = parseInstanceVars(instanceVarsText);
  const ref = { name, ...(instanceVars && { instanceVars }) };
  const pipeline = engine.store.pipelines.getState(ref);
  if (pipeline) return pipeline;
  const match = instanceVars ? matchInstance(instanceVars, engine.store.pipelines.instancesOf(ref)) : { kind: 'none' as const };
  if (match.kind === 'found') return match.pipeline;
  if (match.kind === 'ambiguous') {
    throw new WeirError('pipeline-ambiguous', `${describeRef(ref)} could name ${match.candidates.length} instances: ${match.candidates.map(describeRef).join(', ')}`, {
      location: describeRef(ref),
      hint: 'write a string value in quotes (pr:"1") and a number or boolean bare (pr:1)',
    });
  }
  throw new WeirError('pipeline-not-found', `no pipeline ${describeRef(ref)}`, {
    location: describeRef(ref),
    hint: 'check the name and instance vars; list pipelines to see what exists',
  });
}

export function findJob(engine: Engine, pipeline: PipelineState, name: string): JobRecord {
  const job = engine.store.jobs.get(pipeline.id, name);
  if (!job) {
    throw new WeirError('job-not-found', `pipeline ${pipeline.name} has no job ${name}`, {
      location: `${pipeline.name}/${name}`,
      hint: 'list the pipeline\'s jobs to see their names',
    });
  }
  return job;
}

export function findResource(engine: Engine, pipeline: PipelineState, name: string): ResourceRecord {
  const resource = engine.store.resources.get(pipeline.id, name);
  if (!resource) {
    throw new WeirError('resource-not-found', `pipeline ${pipeline.name} has no resource ${name}`, {
      location: `${pipeline.name}/${name}`,
      hint: 'list the pipeline\'s resources to see their names',
    });
  }
  return resource;
}

export function findBuild(engine: Engine, id: number): BuildRecord {
  const build = engine.store.builds.byId(id);
  if (!build) throw new WeirError('build-not-found', `no build with id ${id}`, { hint: 'list builds to see their ids' });
  return build;
}
