import { findVarReferences, isWholeVarReference, parseVarReference, type VarReference } from '../config/vars.js';

/** The `((references))` in a value's strings and keys that `wanted` selects, parsed. */
export function referencesIn(value: unknown, wanted: (ref: VarReference) => boolean): VarReference[] {
  const found = new Map<string, VarReference>();
  const visitText = (text: string): void => {
    for (const raw of findVarReferences(text)) {
      const ref = parseVarReference(raw);
      if (typeof ref !== 'string' && wanted(ref)) found.set(raw, ref);
    }
  };
  const visit = (node: unknown): void => {
    if (typeof node === 'string') visitText(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        visitText(key);
        visit(child);
      }
    }
  };
  visit(value);
  return [...found.values()];
}

/** Whether `value` refers to a credential manager's secret (not a build's local `((.:var))`). */
export function hasSecretReferences(value: unknown): boolean {
  return referencesIn(value, (ref) => ref.source !== '.').length > 0;
}

/**
 * A copy of `value` with each reference that `valueOf` answers replaced: a string that is only
 * a reference takes the value with its type, as in Concourse; inside a longer string it is
 * written out (JSON for a mapping or list). References `valueOf` leaves undefined stay.
 */
export function substituteVars(value: unknown, valueOf: (ref: VarReference) => { value: unknown } | undefined): unknown {
  const substituteText = (text: string): unknown => {
    if (!text.includes('((')) return text;
    let result = text;
    for (const raw of findVarReferences(text)) {
      const ref = parseVarReference(raw);
      if (typeof ref === 'string') continue;
      const found = valueOf(ref);
      if (!found) continue;
      if (isWholeVarReference(text)) return found.value;
      const piece = typeof found.value === 'string' || typeof found.value === 'number' || typeof found.value === 'boolean' ? String(found.value) : JSON.stringify(found.value);
      result = result.split(`((${raw}))`).join(piece);
    }
    return result;
  };
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return substituteText(node);
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [String(substituteText(key)), visit(child)]));
    }
    return node;
  };
  return visit(value);
}
