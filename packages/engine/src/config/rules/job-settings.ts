import { asRecord, records } from '../loose.js';
import { error, warning, type Problem } from '../problem.js';
import type { Rule } from './rule.js';

/**
 * Job-level settings Concourse checks beyond their types: the deprecated
 * `build_logs_to_retain` (a warning), not together with `build_log_retention` (an error), and a
 * retention that keeps more succeeded builds than builds.
 */
export const jobSettings: Rule = ({ config }) => {
  const problems: Problem[] = [];
  for (const [index, job] of records(config.jobs)) {
    const legacy = job.build_logs_to_retain;
    const retention = asRecord(job.build_log_retention);
    const legacySet = typeof legacy === 'number' && legacy !== 0;
    if (legacySet) {
      problems.push(warning('deprecated-build-logs-to-retain', ['jobs', index, 'build_logs_to_retain'], 'build_logs_to_retain is deprecated', 'write build_log_retention: {builds: N} instead'));
    }
    if (legacySet && job.build_log_retention !== undefined) {
      problems.push(error('build-log-retention-conflict', ['jobs', index, 'build_log_retention'], 'the job sets both build_log_retention and build_logs_to_retain', 'keep only build_log_retention'));
    }
    if (!retention) continue;
    const builds = retention.builds;
    const minimum = retention.minimum_succeeded_builds;
    if (typeof builds === 'number' && builds > 0 && typeof minimum === 'number' && minimum > builds) {
      problems.push(error('build-log-retention-minimum', ['jobs', index, 'build_log_retention', 'minimum_succeeded_builds'], `minimum_succeeded_builds (${minimum}) is greater than builds (${builds})`, 'keep at most as many succeeded builds as builds in total'));
    }
  }
  return problems;
};
