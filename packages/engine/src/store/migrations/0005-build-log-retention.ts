/**
 * When a build's log lines were deleted by its job's `build_log_retention`: such a build is
 * not looked at again, and its events say how many lines went.
 */
export const sql = `
ALTER TABLE builds ADD COLUMN logs_deleted_at INTEGER;
`;
