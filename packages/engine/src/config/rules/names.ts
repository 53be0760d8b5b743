import { checkIdentifier } from '../identifier.js';
import { asString, records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import type { Rule } from './rule.js';

const NAMED_COLLECTIONS = [
  ['resources', 'resource'],
  ['resource_types', 'resource type'],
  ['jobs', 'job'],
  ['groups', 'group'],
  ['var_sources', 'var source'],
] as const;

/** Names within each top-level collection are unique and follow the identifier rule. */
export const uniqueNames: Rule = ({ config }) => {
  const problems: Problem[] = [];
  for (const [collection, what] of NAMED_COLLECTIONS) {
    const firstIndex = new Map<string, number>();
    for (const [index, item] of records(config[collection])) {
      const name = asString(item.name);
      if (name === undefined) continue;
      const path = [collection, index, 'name'];
      const first = firstIndex.get(name);
      if (first !== undefined) {
        problems.push(error('duplicate-name', path, `${what} "${name}" is declared twice (also ${collection}[${first}])`, `rename one of them; ${what} names must be unique`));
        continue;
      }
      firstIndex.set(name, index);
      const invalid = checkIdentifier(name, what, path);
      if (invalid) problems.push(invalid);
    }
  }
  return problems;
};
