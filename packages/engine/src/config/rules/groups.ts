import { asArray, asString, records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import { globMatcher, globSyntaxError } from '../glob.js';
import { suggest } from '../suggest.js';
import type { Rule } from './rule.js';

/** Groups name existing jobs and resources; once groups exist, every job is in one. */
export const groupMembership: Rule = ({ config }) => {
  const problems: Problem[] = [];
  const groups = records(config.groups);
  if (groups.length === 0) return problems;
  const jobNames = records(config.jobs)
    .map(([, j]) => asString(j.name))
    .filter((n): n is string => n !== undefined);
  const resourceNames = new Set(records(config.resources).map(([, r]) => asString(r.name)));
  const grouped = new Set<string>();

  for (const [groupIndex, group] of groups) {
    const groupName = asString(group.name) ?? `#${groupIndex}`;
    asArray(group.jobs).forEach((entry, i) => {
      const pattern = asString(entry);
      if (pattern === undefined) return;
      const syntax = globSyntaxError(pattern);
      if (syntax !== undefined) {
        problems.push(error('invalid-glob', ['groups', groupIndex, 'jobs', i], `"${pattern}" is not a valid job pattern: ${syntax}`, 'close the bracket or brace'));
        return;
      }
      const matching = jobNames.filter(globMatcher(pattern));
      if (matching.length === 0) {
        const guess = suggest(pattern, jobNames);
        problems.push(error('group-unknown-job', ['groups', groupIndex, 'jobs', i], `group "${groupName}" lists job "${pattern}", which does not exist`, guess ? `did you mean "${guess}"?` : 'remove it or fix the name'));
      }
      for (const name of matching) grouped.add(name);
    });
    asArray(group.resources).forEach((entry, i) => {
      const name = asString(entry);
      if (name !== undefined && !resourceNames.has(name)) {
        problems.push(error('group-unknown-resource', ['groups', groupIndex, 'resources', i], `group "${groupName}" lists resource "${name}", which does not exist`, 'remove it or fix the name'));
      }
    });
  }

  for (const [index, job] of records(config.jobs)) {
    const name = asString(job.name);
    if (name !== undefined && !grouped.has(name)) {
      problems.push(error('job-not-in-group', ['jobs', index, 'name'], `job "${name}" belongs to no group`, 'add it to a group; once a pipeline has groups, Concourse requires every job to be in one'));
    }
  }
  return problems;
};
