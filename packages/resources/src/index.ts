export { BUILTIN_RESOURCE_TYPES, builtinResourceTypeNames } from './builtin-types.js';
