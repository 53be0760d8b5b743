import type { VersionFields } from './snapshot.js';

/** A version as users read it in explanations: `ref:abc123`, or `ref:abc123 path:x` for several fields. */
export function formatVersion(fields: VersionFields): string {
  const parts = Object.entries(fields).map(([key, value]) => `${key}:${value}`);
  return parts.length === 0 ? '(empty version)' : parts.join(' ');
}
