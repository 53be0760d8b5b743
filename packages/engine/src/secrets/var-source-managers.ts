import { createHash } from 'node:crypto';
import { canonicalJson } from '../store/canonical-json.js';
import { WeirError } from '../errors.js';
import type { CredentialManager } from './credential-manager.js';
import { dummyManager } from './dummy-manager.js';
import { kubernetesManager } from './kubernetes-manager.js';
import { vaultManager } from './vault-manager.js';

/** A `var_sources` entry, its config already interpolated. */
export interface VarSourceConfig {
  name: string;
  type: string;
  config?: Record<string, unknown>;
}

/** What var source types may need from the engine. */
export interface VarSourceDeps {
  now: () => number;
}

export interface VarSourceContext {
  team: string;
  pipeline: string;
  /** Identifies the source and its config, for the cache. */
  cacheKey: string;
  description: string;
}

type VarSourceFactory = (config: Record<string, unknown>, context: VarSourceContext, deps: VarSourceDeps) => CredentialManager;

const FACTORIES: Record<string, VarSourceFactory> = {
  dummy: dummyManager,
  vault: vaultManager,
  kubernetes: kubernetesManager,
};

/** The var source types weir reads at run time. */
export const READABLE_VAR_SOURCE_TYPES = Object.keys(FACTORIES);

export function createVarSourceManager(source: VarSourceConfig, scope: { team: string; pipeline: string }, deps: VarSourceDeps): CredentialManager {
  const factory = FACTORIES[source.type];
  if (!factory) {
    throw new WeirError('var-source-type-unreadable', `var source "${source.name}" is of type ${source.type}, which weir cannot read`, {
      location: `var_sources ${source.name}`,
      hint: `weir reads var sources of type ${READABLE_VAR_SOURCE_TYPES.join(', ')}, and ((name)) from its own store (weir secrets set)`,
    });
  }
  const config = source.config ?? {};
  // The team and pipeline are part of the key: Vault and Kubernetes paths depend on them.
  const cacheKey = createHash('sha256').update(canonicalJson({ type: source.type, config, team: scope.team, pipeline: scope.pipeline })).digest('hex');
  return factory(config, { ...scope, cacheKey, description: `var source "${source.name}" (${source.type})` }, deps);
}
