/**
 * The first schema. Times are milliseconds since the epoch; JSON columns hold canonical JSON
 * (sorted keys) so equal values compare equal as text. Teams exist only as a key for now.
 */
export const sql = `
CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO teams (id, name) VALUES (1, 'main');

CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams (id),
  name TEXT NOT NULL,
  instance_vars TEXT NOT NULL DEFAULT '{}',
  config TEXT NOT NULL,
  config_version INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (team_id, name, instance_vars)
);

-- One version history per identical resource (type and interpolated source), shared across
-- pipelines as Concourse's global resources are.
CREATE TABLE resource_scopes (
  id INTEGER PRIMARY KEY,
  scope_key TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  check_error TEXT,
  check_error_at INTEGER,
  failed_checks INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE resource_versions (
  id INTEGER PRIMARY KEY,
  scope_id INTEGER NOT NULL REFERENCES resource_scopes (id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '[]',
  check_order INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (scope_id, version)
);
CREATE INDEX resource_versions_by_order ON resource_versions (scope_id, check_order);

CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  config TEXT NOT NULL,
  scope_id INTEGER NOT NULL REFERENCES resource_scopes (id),
  active INTEGER NOT NULL DEFAULT 1,
  -- the version: of the resource's config, kept until a matching version turns up
  config_pin TEXT,
  pinned_version_id INTEGER REFERENCES resource_versions (id) ON DELETE SET NULL,
  pin_comment TEXT,
  UNIQUE (pipeline_id, name)
);
CREATE INDEX resources_by_scope ON resources (scope_id);

CREATE TABLE resource_disabled_versions (
  resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES resource_versions (id) ON DELETE CASCADE,
  PRIMARY KEY (resource_id, version_id)
) WITHOUT ROWID;

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  paused INTEGER NOT NULL DEFAULT 0,
  next_build_number INTEGER NOT NULL DEFAULT 1,
  schedule_requested INTEGER NOT NULL DEFAULT 0,
  UNIQUE (pipeline_id, name)
);
CREATE INDEX jobs_schedule_requested ON jobs (schedule_requested) WHERE schedule_requested = 1;

-- What can change a job's next build, kept at set time so that events find the jobs to
-- reschedule without reading configs.
CREATE TABLE job_input_resources (
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  PRIMARY KEY (job_id, resource_id)
) WITHOUT ROWID;
CREATE INDEX job_input_resources_by_resource ON job_input_resources (resource_id);

CREATE TABLE job_upstreams (
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  upstream_job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  PRIMARY KEY (job_id, upstream_job_id)
) WITHOUT ROWID;
CREATE INDEX job_upstreams_by_upstream ON job_upstreams (upstream_job_id);

CREATE TABLE job_serial_groups (
  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (job_id, name)
) WITHOUT ROWID;
CREATE INDEX job_serial_groups_by_group ON job_serial_groups (pipeline_id, name);

CREATE TABLE builds (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams (id),
  pipeline_id INTEGER REFERENCES pipelines (id) ON DELETE CASCADE,
  job_id INTEGER REFERENCES jobs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  number INTEGER NOT NULL,
  rerun_of INTEGER REFERENCES builds (id) ON DELETE CASCADE,
  rerun_number INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('pending', 'started', 'succeeded', 'failed', 'errored', 'aborted')),
  manually_triggered INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER
);
CREATE INDEX builds_by_job ON builds (job_id, id);
CREATE INDEX builds_in_flight ON builds (job_id, status) WHERE status IN ('pending', 'started');

CREATE TABLE build_inputs (
  build_id INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES resource_versions (id) ON DELETE CASCADE,
  first_occurrence INTEGER NOT NULL,
  PRIMARY KEY (build_id, name)
) WITHOUT ROWID;

CREATE TABLE build_outputs (
  build_id INTEGER NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES resource_versions (id) ON DELETE CASCADE,
  PRIMARY KEY (build_id, resource_id, version_id)
) WITHOUT ROWID;
`;
