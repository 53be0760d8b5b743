/**
 * What running builds needs: the plan a build ran (stored so it can be shown and rerun as it
 * was), why an errored build errored, the build's event log, and the values a pipeline's vars
 * supplied, so the runner can redact them from build logs.
 */
export const sql = `
ALTER TABLE builds ADD COLUMN plan TEXT;
ALTER TABLE builds ADD COLUMN error TEXT;
ALTER TABLE pipelines ADD COLUMN secret_values TEXT NOT NULL DEFAULT '[]';

-- A build's events in pages: each row holds the events first_seq..last_seq as a JSON array of
-- [at, type, origin, data]. One row per batch keeps a task that prints a million lines to a
-- few hundred inserts; seq still counts every event from 1, so clients resume exactly.
CREATE TABLE build_event_pages (
  build_id INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (build_id, first_seq)
) WITHOUT ROWID;
CREATE INDEX build_event_pages_by_last ON build_event_pages (build_id, last_seq);
`;
