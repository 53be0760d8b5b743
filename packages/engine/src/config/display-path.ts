import type { PathSegment } from './problem.js';

const NAMED = new Set(['jobs', 'resources', 'resource_types', 'groups', 'var_sources', 'prototypes']);

/**
 * Renders a path the way Concourse users read it: items of named collections by name
 * (`jobs.build`), everything else by key or index (`plan[2].get`).
 */
export function displayPath(root: unknown, path: readonly PathSegment[]): string {
  let out = '';
  let node: unknown = root;
  let parentKey: PathSegment | undefined;
  for (const segment of path) {
    const child = node !== null && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[segment] : undefined;
    if (typeof segment === 'number') {
      const name = NAMED.has(String(parentKey)) && path[0] === parentKey ? nameOf(child) : undefined;
      out += name !== undefined ? `.${name}` : `[${segment}]`;
    } else {
      out += out === '' ? segment : `.${segment}`;
    }
    parentKey = segment;
    node = child;
  }
  return out;
}

function nameOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const name = (value as Record<string, unknown>).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
