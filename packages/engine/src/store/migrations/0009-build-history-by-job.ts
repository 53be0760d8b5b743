/**
 * What the scheduler reads of a job's history, kept together per job. A build's inputs and
 * outputs carry its job, and an index per job covers what a decision reads (which versions the
 * job used as each input, which went through its succeeded builds). Without them a job's history
 * was one primary-key lookup per build, each on a page of its own once builds of many jobs
 * interleave: on a store of 1.5 million builds the first passes after a start spent most of
 * their time there. The job is the build's and never changes, so it is filled here for rows
 * written before. A resource's versions in check order are read from their index alone.
 */
export const sql = `
ALTER TABLE build_inputs ADD COLUMN job_id INTEGER;
UPDATE build_inputs SET job_id = (SELECT b.job_id FROM builds b WHERE b.id = build_inputs.build_id);
CREATE INDEX build_inputs_by_job ON build_inputs (job_id, name, version_id, resource_id);
ALTER TABLE build_outputs ADD COLUMN job_id INTEGER;
UPDATE build_outputs SET job_id = (SELECT b.job_id FROM builds b WHERE b.id = build_outputs.build_id);
CREATE INDEX build_outputs_by_job ON build_outputs (job_id, resource_id, version_id);
DROP INDEX resource_versions_by_order;
CREATE INDEX resource_versions_by_order ON resource_versions (scope_id, check_order, gone_at);
`;
