import { parseDuration } from '../duration.js';
import { asString, records, type LooseRecord } from '../loose.js';
import { error, type PathSegment, type Problem } from '../problem.js';
import { isWholeVarReference } from '../vars.js';
import type { Rule } from './rule.js';

/**
 * The problem with `owner[key]` if it is a string that is not a duration. Takes the owner's path
 * rather than the field's so that the path is only built for a problem: most steps have no
 * duration at all.
 */
function checkDuration(owner: LooseRecord, ownerPath: readonly PathSegment[], key: string, options: { allowNever?: boolean } = {}): Problem | undefined {
  const text = asString(owner[key]);
  if (text === undefined || isWholeVarReference(text)) return undefined;
  if (options.allowNever && text === 'never') return undefined;
  const ms = parseDuration(text);
  if (ms !== undefined && ms >= 0) return undefined;
  const allowed = options.allowNever ? ' or "never"' : '';
  return error('invalid-duration', [...ownerPath, key], `"${text}" is not a duration`, `write a duration such as 30s, 5m, 1h30m${allowed}`);
}

const ALLOW_NEVER = { allowNever: true };

/** Every duration field parses as a Go duration, as Concourse requires. */
export const durations: Rule = ({ config, jobs }) => {
  const problems: Problem[] = [];
  const push = (p: Problem | undefined): void => {
    if (p) problems.push(p);
  };
  for (const collection of ['resources', 'resource_types'] as const) {
    for (const [index, item] of records(config[collection])) {
      push(checkDuration(item, [collection, index], 'check_every', ALLOW_NEVER));
      push(checkDuration(item, [collection, index], 'check_timeout'));
    }
  }
  for (const { steps } of jobs) {
    for (const { step, path } of steps) {
      push(checkDuration(step, path, 'timeout'));
      push(checkDuration(step, path, 'expire_after'));
    }
  }
  return problems;
};
