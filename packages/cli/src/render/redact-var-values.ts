import type { InstanceVars } from '../names.js';

/** What the engine shows where a var's value was (the engine's `REDACTED`). */
const REDACTED = '((redacted))';

/**
 * The values vars supplied that the engine hides from readers: all but those of instance vars,
 * which name the pipeline anyway.
 */
export function hiddenVarValues(varValues: Iterable<string>, instanceVars: InstanceVars): string[] {
  const shown = new Set(Object.values(instanceVars).filter((value) => typeof value !== 'object').map(String));
  return [...varValues].filter((value) => !shown.has(value));
}

/**
 * The config as `GET /pipelines/:pipeline` shows it, with the hidden values replaced. The
 * engine applies this same rule to what it stores, so the local config must go through it
 * before the two are compared.
 */
export function redactVarValues(config: unknown, hidden: readonly string[]): unknown {
  if (hidden.length === 0) return config;
  // Longest first, so a value that contains another is replaced whole.
  const secrets = [...hidden].sort((a, b) => b.length - a.length);
  const redactString = (text: string): string => secrets.reduce((result, secret) => result.split(secret).join(REDACTED), text);
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return redactString(node);
    if (typeof node === 'number' && secrets.includes(String(node))) return REDACTED;
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, child]) => [redactString(key), visit(child)]));
    return node;
  };
  return visit(config);
}
