import type { StaticVars } from './vars.js';

/** Plain assignment would turn a `__proto__` key into a prototype change. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Sets `name` (or a dotted `name.field`) in `vars`, as fly's `-v a.b=c` does: the first segment
 * is the var, the rest are fields inside it.
 */
export function setVar(vars: StaticVars, name: string, value: unknown): void {
  const [head, ...fields] = name.split('.');
  if (fields.length === 0) {
    setOwn(vars, head as string, value);
    return;
  }
  let node = vars as Record<string, unknown>;
  for (const key of [head as string, ...fields.slice(0, -1)]) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) setOwn(node, key, {});
    node = node[key] as Record<string, unknown>;
  }
  setOwn(node, fields[fields.length - 1] as string, value);
}
