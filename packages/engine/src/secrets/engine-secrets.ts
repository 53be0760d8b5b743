import type { PipelineRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { BuiltinSecrets } from './builtin-secrets.js';
import type { Redactor } from './redactor.js';
import { SecretCache } from './secret-cache.js';
import { SecretKeyFile } from './secret-key-file.js';
import { SecretVars, type SecretScope } from './secret-vars.js';
import type { VarSourceConfig, VarSourceDeps } from './var-source-managers.js';

export interface EngineSecretsOptions {
  store: Store;
  /** Where the key file lives; null keeps the key in memory (an in-memory engine). */
  dataDir: string | null;
  /** How long a secret found in Vault or Kubernetes is reused (default a minute, as Concourse). */
  cacheTtlMs?: number;
  now: () => number;
}

/** The engine's credential managers: its own store, and the var sources pipelines declare. */
export class EngineSecrets {
  readonly builtin: BuiltinSecrets;
  private readonly cache: SecretCache;
  private readonly deps: VarSourceDeps;

  constructor(options: EngineSecretsOptions) {
    this.builtin = new BuiltinSecrets(options.store.secrets, new SecretKeyFile(options.dataDir));
    this.cache = new SecretCache(options.cacheTtlMs ?? 60_000, options.now);
    this.deps = { now: options.now };
  }

  /** Looks up the secrets of one pipeline's config for one build or check, which redacts what it finds. */
  forPipeline(pipeline: Pick<PipelineRecord, 'team' | 'name' | 'config'>, redactor: Redactor, signal: AbortSignal): SecretVars {
    return new SecretVars(secretScopeOf(pipeline), { ...this.deps, builtin: this.builtin, cache: this.cache }, redactor, signal);
  }
}

function secretScopeOf(pipeline: Pick<PipelineRecord, 'team' | 'name' | 'config'>): SecretScope {
  const declared = (pipeline.config as { var_sources?: VarSourceConfig[] }).var_sources ?? [];
  return { team: pipeline.team, pipeline: pipeline.name, varSources: declared };
}
