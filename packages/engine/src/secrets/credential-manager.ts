import type { SecretFound } from './builtin-secrets.js';

/** The answer of one lookup: the value and where it was found, and every path tried. */
export interface CredentialLookup {
  found?: SecretFound;
  tried: string[];
}

/** A place secrets are looked up at the moment they are used: weir's store, Vault, Kubernetes. */
export interface CredentialManager {
  /** Names the manager in errors: `weir's secret store`, `var source "vault" (vault)`. */
  readonly description: string;
  /** Identifies the manager and its config in the cache: equal keys answer equal lookups. */
  readonly cacheKey: string;
  /** Whether answers may be cached (weir's own store is read directly: a change shows at once). */
  readonly cacheable: boolean;
  lookup(path: string, signal: AbortSignal): Promise<CredentialLookup>;
}
