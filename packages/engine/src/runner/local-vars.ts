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
   */
  interpolate<T>(value: T, location: string): T {
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
