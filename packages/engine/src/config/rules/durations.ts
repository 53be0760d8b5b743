import { parseDuration } from '../duration.js';
import { asString, records } from '../loose.js';
import { error, type PathSegment, type Problem } from '../problem.js';
import { allJobSteps } from '../step-tree.js';
import { isWholeVarReference } from '../vars.js';
import type { Rule } from './rule.js';

function checkDuration(value: unknown, path: PathSegment[], options: { allowNever?: boolean } = {}): Problem | undefined {
  const text = asString(value);
  if (text === undefined || isWholeVarReference(text)) return undefined;
  if (options.allowNever && text === 'never') return undefined;
  const ms = parseDuration(text);
  if (ms !== undefined && ms >= 0) return undefined;
  const allowed = options.allowNever ? ' or "never"' : '';
  return error('invalid-duration', path, `"${text}" is not a duration`, `write a duration such as 30s, 5m, 1h30m${allowed}`);
}

/** Every duration field parses as a Go duration, as Concourse requires. */
export const durations: Rule = ({ config }) => {
  const problems: Problem[] = [];
  const push = (p: Problem | undefined): void => {
    if (p) problems.push(p);
  };
  for (const collection of ['resources', 'resource_types'] as const) {
    for (const [index, item] of records(config[collection])) {
      push(checkDuration(item.check_every, [collection, index, 'check_every'], { allowNever: true }));
      push(checkDuration(item.check_timeout, [collection, index, 'check_timeout']));
    }
  }
  for (const [index, job] of records(config.jobs)) {
    for (const { step, path } of allJobSteps(job, ['jobs', index])) {
      push(checkDuration(step.timeout, [...path, 'timeout']));
      push(checkDuration(step.expire_after, [...path, 'expire_after']));
    }
  }
  return problems;
};
