import type { Store } from '../store/index.js';
import { hiddenVarValues } from './config-for-readers.js';

/** What readers must not see of a pipeline's data: the values its vars supplied, but for its instance vars. */
export function hiddenValuesOf(store: Store, pipelineId: number | null): string[] {
  const pipeline = pipelineId === null ? undefined : store.pipelines.byId(pipelineId);
  return pipeline ? hiddenVarValues(store.pipelines.secretValues(pipeline.id), pipeline.instanceVars) : [];
}
