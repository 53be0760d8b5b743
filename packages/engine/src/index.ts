export * from './config/index.js';
export { WeirError } from './errors.js';
export { Engine, type EngineOptions, type SetPipelineRequest } from './engine.js';
export * from './store/index.js';
export * from './scheduler/index.js';
export { Checker, type CheckerOptions, type CheckOutcome } from './checker/checker.js';
export { ResourceTypeRegistry } from './resource-types/registry.js';
export { PipelineInvalidError, loadPipelineForSet } from './pipelines/load-for-set.js';
export { planPipelineSave, scopeKey } from './pipelines/plan-pipeline-save.js';
