import { lookupVar, type VarReference } from '../config/vars.js';
import { WeirError } from '../errors.js';
import type { BuiltinSecrets } from './builtin-secrets.js';
import type { CredentialManager } from './credential-manager.js';
import type { Redactor } from './redactor.js';
import type { SecretCache } from './secret-cache.js';
import { referencesIn, substituteVars } from './substitute-vars.js';
import { createVarSourceManager, type VarSourceConfig, type VarSourceDeps } from './var-source-managers.js';

/** What a lookup needs of the pipeline whose config holds the references. */
export interface SecretScope {
  team: string;
  pipeline: string;
  varSources: readonly VarSourceConfig[];
}

export interface SecretVarsDeps extends VarSourceDeps {
  builtin: BuiltinSecrets;
  cache: SecretCache;
}

/**
 * Interpolates a pipeline's secret references at the moment of use: `((name))` from weir's
 * store (the pipeline's secret, then the team's), `((source:path.field))` from a var source.
 * Every value found joins the build's (or check's) redactor before anything can print it.
 */
export class SecretVars {
  private readonly managers = new Map<string, Promise<CredentialManager>>();

  constructor(
    private readonly scope: SecretScope,
    private readonly deps: SecretVarsDeps,
    private readonly redactor: Redactor,
    private readonly signal: AbortSignal,
  ) {}

  /** A copy of `value` with its secret references replaced; local `((.:vars))` stay. */
  async resolve<T>(value: T, location: string): Promise<T> {
    const refs = referencesIn(value, (ref) => ref.source !== '.');
    if (refs.length === 0) return value;
    const found = new Map<string, unknown>();
    for (const ref of refs) {
      const key = secretKey(ref);
      if (found.has(key)) continue;
      const secret = await this.fetch(ref, location);
      this.redactor.addValue(secret);
      found.set(key, secret);
    }
    return substituteVars(value, (ref) => {
      if (ref.source === '.') return undefined;
      const lookup = lookupVar({ [ref.path]: found.get(secretKey(ref)) }, ref);
      if (!lookup.found) {
        throw new WeirError('secret-field-missing', `((${ref.raw})): ${lookup.reason ?? 'no such field'}`, {
          location,
          hint: `the secret ${ref.path} has no such field; look at its fields with \`weir secrets get\` or in the credential manager`,
        });
      }
      return lookup;
    }) as T;
  }

  private async fetch(ref: VarReference, location: string): Promise<unknown> {
    const manager = await this.manager(ref.source, location);
    const lookup = manager.cacheable
      ? await this.deps.cache.get(`${manager.cacheKey}\0${ref.path}`, () => manager.lookup(ref.path, this.signal))
      : await manager.lookup(ref.path, this.signal);
    if (!lookup.found) {
      throw new WeirError('secret-not-found', `((${ref.raw})) was not found in ${manager.description}; tried ${lookup.tried.join(', ')}`, {
        location,
        hint:
          ref.source === undefined
            ? `store it with \`weir secrets set ${ref.path}\` (add -p ${this.scope.pipeline} for this pipeline only), or pass it as a static var when setting the pipeline`
            : `store it at one of those paths, or fix the var source's config`,
      });
    }
    return lookup.found.value;
  }

  private manager(source: string | undefined, location: string): Promise<CredentialManager> {
    const name = source ?? '';
    let manager = this.managers.get(name);
    if (!manager) {
      manager = source === undefined ? Promise.resolve(this.builtinManager()) : this.varSourceManager(source, location);
      this.managers.set(name, manager);
    }
    return manager;
  }

  private builtinManager(): CredentialManager {
    const { team, pipeline } = this.scope;
    const { builtin } = this.deps;
    return {
      description: "weir's secret store",
      cacheKey: 'weir',
      cacheable: false,
      lookup: async (path) => builtin.lookup(team, pipeline, path),
    };
  }

  /** A var source's config may itself read other var sources (validation ruled out cycles). */
  private async varSourceManager(name: string, location: string): Promise<CredentialManager> {
    const declared = this.scope.varSources.find((source) => source.name === name);
    if (!declared) {
      throw new WeirError('var-source-unknown', `the pipeline declares no var source "${name}"`, { location, hint: 'declare it under var_sources and set the pipeline again' });
    }
    const config = await this.resolve(declared.config ?? {}, `var_sources ${name}`);
    return createVarSourceManager({ ...declared, config }, { team: this.scope.team, pipeline: this.scope.pipeline }, this.deps);
  }
}

function secretKey(ref: VarReference): string {
  return `${ref.source ?? ''}\0${ref.path}`;
}
