/**
 * Whether an error says the disk is full: SQLite's SQLITE_FULL (a write to the database or its
 * WAL found no room) or the system's ENOSPC / EDQUOT (a file written beside it). A full disk is
 * the operator's to fix and passes once there is room, unlike a bug.
 */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

/** What to tell whoever meets a full disk: where room is needed, and that weir goes on then. */
export const DISK_FULL_HINT = 'free space on the disk holding weir\'s data directory; weir goes on by itself once there is room, and nothing it had saved is lost';
