export { Store, type StoreOptions } from './store.js';
export type { StoreEvent } from './store-context.js';
export type { PipelineSave, ResourceSave, JobSave } from './pipeline-store.js';
export { describeRef } from './pipeline-store.js';
export type { CheckableScope } from './resource-store.js';
export type { SchedulingJobRow, SerialGroupRow } from './scheduling-store.js';
export { canonicalJson } from './canonical-json.js';
export { decodeEventPage, encodeEventPage } from './event-page-encoding.js';
export * from './records.js';
