/** The values a build of a one-click job runs with (its job's `trigger_vars`), as JSON. */
export const sql = `
ALTER TABLE builds ADD COLUMN trigger_vars TEXT;
`;
