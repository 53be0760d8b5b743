import { asRecord, records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import type { Rule } from './rule.js';

/**
 * A one-click job's `trigger_vars` (a weir extension): each name once, and a default that the
 * job's own `values` allow, or no one could start the job without picking a value.
 */
export const triggerVars: Rule = ({ config }) => {
  const problems: Problem[] = [];
  for (const [jobIndex, job] of records(config.jobs)) {
    const seen = new Set<string>();
    for (const [index, raw] of records(job.trigger_vars)) {
      const entry = asRecord(raw);
      if (!entry || typeof entry.name !== 'string') continue;
      const at = ['jobs', jobIndex, 'trigger_vars', index];
      if (seen.has(entry.name)) problems.push(error('trigger-var-duplicate', [...at, 'name'], `trigger var ${entry.name} is declared twice`, 'give each trigger var of a job its own name'));
      seen.add(entry.name);
      const values = Array.isArray(entry.values) ? entry.values : undefined;
      if (typeof entry.default === 'string' && values !== undefined && !values.includes(entry.default)) {
        problems.push(error('trigger-var-default-not-allowed', [...at, 'default'], `the default ${JSON.stringify(entry.default)} of ${entry.name} is not one of its values`, `make it one of: ${values.join(', ')}`));
      }
    }
  }
  return problems;
};
