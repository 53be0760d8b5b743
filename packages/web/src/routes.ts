import type { PipelineRef } from './api.js';

/** The UI's own paths mirror the API's: /pipelines/NAME/jobs/JOB?instance_vars=..., /builds/ID. */
export function pipelineUrl(ref: PipelineRef, rest = '', extraQuery: Record<string, string> = {}): string {
  const query = new URLSearchParams(extraQuery);
  if (ref.instanceVars && Object.keys(ref.instanceVars).length > 0) query.set('instance_vars', JSON.stringify(ref.instanceVars));
  const text = query.toString();
  return `/pipelines/${encodeURIComponent(ref.name)}${rest}${text ? `?${text}` : ''}`;
}

export function jobUrl(ref: PipelineRef, job: string): string {
  return pipelineUrl(ref, `/jobs/${encodeURIComponent(job)}`);
}

export function resourceUrl(ref: PipelineRef, resource: string): string {
  return pipelineUrl(ref, `/resources/${encodeURIComponent(resource)}`);
}

export function buildUrl(id: number): string {
  return `/builds/${id}`;
}

/** The pipeline a page is about, from its path segment and `instance_vars` query. */
export function refFromLocation(name: string, search: string): PipelineRef {
  const text = new URLSearchParams(search).get('instance_vars');
  let instanceVars: PipelineRef['instanceVars'] = null;
  if (text) {
    try {
      instanceVars = JSON.parse(text) as PipelineRef['instanceVars'];
    } catch {
      instanceVars = null;
    }
  }
  return { name: decodeURIComponent(name), instanceVars };
}
