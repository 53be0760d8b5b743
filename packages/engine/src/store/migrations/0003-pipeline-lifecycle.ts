/**
 * Pipelines set by a `set_pipeline` step remember the job and build that set them, so a later
 * successful build of that job that no longer sets one lets it go (Concourse's rule). A pipeline
 * being let go is `retiring` (why) while its teardown build runs, and archived once it succeeds.
 * `expire_after_ms` and `parent_set_at` make the lease that archives a pipeline its parent
 * stopped renewing. No foreign key on the parent: a parent deleted with its pipeline must still
 * be seen as gone.
 */
export const sql = `
ALTER TABLE pipelines ADD COLUMN parent_job_id INTEGER;
ALTER TABLE pipelines ADD COLUMN parent_build_id INTEGER;
ALTER TABLE pipelines ADD COLUMN parent_set_at INTEGER;
ALTER TABLE pipelines ADD COLUMN expire_after_ms INTEGER;
ALTER TABLE pipelines ADD COLUMN retiring TEXT;
ALTER TABLE pipelines ADD COLUMN teardown_build_id INTEGER;
CREATE INDEX pipelines_by_parent ON pipelines (parent_job_id) WHERE parent_job_id IS NOT NULL;
-- The newest succeeded build of a parent job, read for every child at every lifecycle pass: without
-- it, SQLite walks back through all of the job's other builds.
CREATE INDEX builds_succeeded_by_job ON builds (job_id, id) WHERE status = 'succeeded';
`;
