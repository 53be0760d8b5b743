const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };

/**
 * A size as operators and Concourse's `container_limits.memory` write it: a number of bytes, or
 * a number with K, M, G or T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), and an
 * optional B, in any case (`512MB`, `10GiB`, `1g`). Undefined when the text is not a size.
 */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$/i.exec(text);
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * UNITS[(match[2] ?? '').toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
