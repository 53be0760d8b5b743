import { WeirError } from '../errors.js';
import { lookupVar } from '../config/vars.js';
import { substituteVars } from '../secrets/substitute-vars.js';

/**
 * Vars that only have values while a build runs: `load_var` results and `across` values,
 * referenced as `((.:name))`. An across iteration gets a child scope.
 */
export class LocalVars {
  private readonly own: Record<string, unknown> = {};

  constructor(private readonly parent?: LocalVars) {}

  set(name: string, value: unknown): void {
    this.own[name] = value;
  }

  child(): LocalVars {
    return new LocalVars(this);
  }

  private flatten(): Record<string, unknown> {
    return { ...this.parent?.flatten(), ...this.own };
  }

  /**
   * A copy of `value` with every `((.:name))` replaced. A string that is only a reference
   * takes the var's value whatever its type, as in Concourse.
   *
   * `literalOnly` is for values that are stored and interpolated again later (a set_pipeline's
   * vars and instance vars): there a value holding `((` would become a reference of the new
   * pipeline, so a branch named `feature/((token))` could read any secret of the team. Such a
   * value is refused.
   */
  interpolate<T>(value: T, location: string, options: { literalOnly?: boolean } = {}): T {
    if (!containsReference(value)) return value;
    const vars = this.flatten();
    return substituteVars(value, (ref) => {
      if (ref.source !== '.') return undefined;
      const lookup = lookupVar(vars, ref);
      if (!lookup.found) {
        throw new WeirError('local-var-undefined', lookup.reason ?? `((${ref.raw})) has no value in this build`, {
          location,
          hint: `set it earlier in the build with a load_var step named ${ref.path}, or use it inside the across step that declares it`,
        });
      }
      if (options.literalOnly && containsReference(lookup.value)) {
        throw new WeirError('local-var-holds-reference', `((.:${ref.raw.replace(/^\.:/, '')})) holds "((", which the pipeline being set would read as a var reference`, {
          location,
          hint: 'a value from a build (a branch or pull request name, a loaded file) is passed on as plain text only: rename what holds "((", or keep it out of vars and instance_vars',
        });
      }
      return lookup;
    }) as T;
  }
}

function containsReference(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('((');
  if (Array.isArray(value)) return value.some(containsReference);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('((') || containsReference(v));
  return false;
}
