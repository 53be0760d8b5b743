/**
 * Static var values are no longer secrets, and secrets are no longer stored with a pipeline:
 * the column that kept every var value in clear text goes. Secrets of weir's own store are kept
 * encrypted (AES-256-GCM, a key file outside the database), scoped to a team or one pipeline.
 */
export const sql = `
ALTER TABLE pipelines DROP COLUMN secret_values;
CREATE TABLE secrets (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  -- '' for a team-wide secret; the pipeline's name otherwise, as Concourse's lookup paths name it.
  pipeline TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  key_id TEXT NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  tag BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (team_id, pipeline, name)
);
`;
