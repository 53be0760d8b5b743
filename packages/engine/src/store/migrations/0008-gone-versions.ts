/**
 * When a complete check (a type with `checkReportsAll`) stopped reporting a version: it no
 * longer exists at its source (a pruned snapshot), so it is shown as gone and never used.
 */
export const sql = `
ALTER TABLE resource_versions ADD COLUMN gone_at INTEGER;
`;
