/** What a secret is replaced with, so a reader sees that a var's value was there. */
export const REDACTED = '((redacted))';

/**
 * A copy of `value` with every occurrence of a secret in its strings replaced. Stored configs
 * hold the values vars supplied, and reads are open to anyone who can reach the API.
 */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = secrets.filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return value;
  const redactString = (text: string): string => ordered.reduce((result, secret) => result.split(secret).join(REDACTED), text);
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return redactString(node);
    if (typeof node === 'number' && ordered.includes(String(node))) return REDACTED;
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [redactString(key), visit(child)]));
    }
    return node;
  };
  return visit(value);
}
