import type { Rule } from './rule.js';
import { asRecord, asString, records, type LooseRecord } from '../loose.js';
import { parseDuration } from '../duration.js';
import { error, type PathSegment, type Problem } from '../problem.js';
import { isWholeVarReference } from '../vars.js';

/** Rules for a task config, inline under a task step or in its own file. */
export function checkTaskConfig(config: LooseRecord, path: PathSegment[]): Problem[] {
  const problems: Problem[] = [];
  for (const list of ['inputs', 'outputs'] as const) {
    const seen = new Set<string>();
    for (const [i, item] of records(config[list])) {
      const name = asString(item.name);
      if (name === undefined) continue;
      if (seen.has(name)) {
        problems.push(error(`duplicate-task-${list === 'inputs' ? 'input' : 'output'}`, [...path, list, i, 'name'], `${list === 'inputs' ? 'input' : 'output'} "${name}" is listed twice`, 'remove the duplicate'));
      }
      seen.add(name);
    }
  }
  for (const [i, cache] of records(config.caches)) {
    const ttl = asString(cache.ttl);
    if (ttl === undefined || ttl === '' || isWholeVarReference(ttl)) continue;
    const ms = parseDuration(ttl);
    if (ms === undefined || ms < 1000) {
      problems.push(error('task-cache-ttl', [...path, 'caches', i, 'ttl'], ms === undefined ? `"${ttl}" is not a duration` : `cache ttl "${ttl}" is shorter than 1s`, 'write a duration of at least 1s, such as 12h'));
    }
  }
  const run = asRecord(config.run);
  if (run && asString(run.path) === '') {
    problems.push(error('task-run-path-empty', [...path, 'run', 'path'], 'run.path is empty', 'give the command to run, e.g. path: sh'));
  }
  return problems;
}

/** Inline task configs in a pipeline follow the same rules as task files. */
export const inlineTaskConfigs: Rule = ({ jobs }) => {
  const problems: Problem[] = [];
  for (const { steps } of jobs) {
    for (const { step, path, kinds } of steps) {
      const inline = asRecord(step.config);
      if (kinds.includes('task') && inline) problems.push(...checkTaskConfig(inline, [...path, 'config']));
    }
  }
  return problems;
};
