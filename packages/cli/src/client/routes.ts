import type { JobName, PipelineName, ResourceName } from '../names.js';

/** A path under `/api/v1` and its query. */
export interface Route {
  path: string;
  query: Record<string, string>;
}

const segment = encodeURIComponent;

export function route(path: string, query: Record<string, string> = {}): Route {
  return { path, query };
}

/** An instance of an instanced pipeline is named by its instance vars in the query of every route under it. */
export function pipelineRoute(pipeline: PipelineName, ...rest: string[]): Route {
  const query: Record<string, string> = Object.keys(pipeline.instanceVars).length > 0 ? { instance_vars: JSON.stringify(pipeline.instanceVars) } : {};
  return route(['/pipelines', segment(pipeline.name), ...rest.map(segment)].join('/'), query);
}

export function jobRoute(job: JobName, ...rest: string[]): Route {
  return pipelineRoute(job.pipeline, 'jobs', job.job, ...rest);
}

export function resourceRoute(resource: ResourceName, ...rest: string[]): Route {
  return pipelineRoute(resource.pipeline, 'resources', resource.resource, ...rest);
}

export function buildRoute(buildId: number, ...rest: string[]): Route {
  return route(['/builds', String(buildId), ...rest.map(segment)].join('/'));
}

export function withQuery(base: Route, query: Record<string, string>): Route {
  return { path: base.path, query: { ...base.query, ...query } };
}
