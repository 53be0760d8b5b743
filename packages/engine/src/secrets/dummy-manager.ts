import type { CredentialManager } from './credential-manager.js';
import type { VarSourceContext } from './var-source-managers.js';

/** Concourse's `dummy` var source: the values are in its config (`vars:`), for tests and demos. */
export function dummyManager(config: Record<string, unknown>, context: VarSourceContext): CredentialManager {
  const vars = typeof config.vars === 'object' && config.vars !== null ? (config.vars as Record<string, unknown>) : {};
  return {
    description: context.description,
    cacheKey: context.cacheKey,
    cacheable: false,
    lookup: async (path) => (Object.hasOwn(vars, path) ? { found: { value: vars[path], path }, tried: [path] } : { tried: [path] }),
  };
}
