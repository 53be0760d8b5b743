import { records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import type { Rule } from './rule.js';

const TYPED_COLLECTIONS = [
  ['resources', 'resource'],
  ['resource_types', 'resource type'],
  ['prototypes', 'prototype'],
] as const;

/** `type: ""` names nothing; Concourse refuses it ("has no type") where a missing key is the schema's. */
export const emptyTypes: Rule = ({ config }) => {
  const problems: Problem[] = [];
  for (const [collection, what] of TYPED_COLLECTIONS) {
    for (const [index, item] of records(config[collection])) {
      if (item.type === '') problems.push(error('empty-type', [collection, index, 'type'], `the ${what}'s type is empty`, 'name the type that implements it, e.g. git or registry-image'));
    }
  }
  return problems;
};
