import type { Version } from '@weir/resources';
import type { StoreContext } from './store-context.js';

/**
 * The newest version of a history whose fields include all of `fields`: how Concourse matches
 * `version: {ref: abc}` pins, which may name only some of a version's fields.
 */
export function findVersionContaining(ctx: StoreContext, scopeId: number, fields: Version): number | undefined {
  const rows = ctx
    .sql<[number], { id: number; version: string }>('SELECT id, version FROM resource_versions WHERE scope_id = ? ORDER BY check_order DESC')
    .iterate(scopeId);
  for (const row of rows) {
    const version = JSON.parse(row.version) as Version;
    if (Object.entries(fields).every(([key, value]) => version[key] === value)) return row.id;
  }
  return undefined;
}
