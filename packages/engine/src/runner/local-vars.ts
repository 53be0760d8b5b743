import { WeirError } from '../errors.js';
import { findVarReferences, isWholeVarReference, lookupVar, parseVarReference } from '../config/vars.js';

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
    const visit = (node: unknown): unknown => {
      if (typeof node === 'string') return interpolateText(node, vars, location);
      if (Array.isArray(node)) return node.map(visit);
      if (typeof node === 'object' && node !== null) {
        return Object.fromEntries(Object.entries(node).map(([key, child]) => [interpolateText(key, vars, location) as string, visit(child)]));
      }
      return node;
    };
    return visit(value) as T;
  }
}

function containsReference(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('((');
  if (Array.isArray(value)) return value.some(containsReference);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('((') || containsReference(v));
  return false;
}

function interpolateText(text: string, vars: Record<string, unknown>, location: string): unknown {
  let result = text;
  for (const raw of findVarReferences(text)) {
    const ref = parseVarReference(raw);
    if (typeof ref === 'string' || ref.source !== '.') continue;
    const lookup = lookupVar(vars, ref);
    if (!lookup.found) {
      throw new WeirError('local-var-undefined', lookup.reason ?? `((${raw})) has no value in this build`, {
        location,
        hint: `set it earlier in the build with a load_var step named ${ref.path}, or use it inside the across step that declares it`,
      });
    }
    if (isWholeVarReference(text)) return lookup.value;
    const found = lookup.value;
    const piece = typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean' ? String(found) : JSON.stringify(found);
    result = result.split(`((${raw}))`).join(piece);
  }
  return result;
}
