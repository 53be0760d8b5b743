export * from './interface.js';
export { BUILTIN_RESOURCE_TYPES, builtinResourceTypeNames, implementedResourceTypes } from './builtin-types.js';
export { mockResourceType, type MockSource, type MockVersion } from './mock/index.js';
