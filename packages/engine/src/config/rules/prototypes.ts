import { checkIdentifier } from '../identifier.js';
import { asString, records } from '../loose.js';
import { error, type Problem } from '../problem.js';
import { suggest } from '../suggest.js';
import type { Rule } from './rule.js';

/**
 * Prototypes share one namespace with resource types (Concourse checks their names together),
 * and a `run` step names a declared prototype and a message that is a valid identifier: an
 * error there, not a warning, because Concourse turns messages into commands.
 */
export const prototypes: Rule = ({ config, jobs }) => {
  const problems: Problem[] = [];
  const typeNames = new Map<string, number>();
  for (const [index, type] of records(config.resource_types)) {
    const name = asString(type.name);
    if (name !== undefined && !typeNames.has(name)) typeNames.set(name, index);
  }
  const declared: string[] = [];
  for (const [index, prototype] of records(config.prototypes)) {
    const name = asString(prototype.name);
    if (name === undefined) continue;
    const path = ['prototypes', index, 'name'];
    const asType = typeNames.get(name);
    if (asType !== undefined) {
      problems.push(error('duplicate-name', path, `prototype "${name}" has the name of resource_types[${asType}]`, 'prototypes and resource types share one namespace: rename one of them'));
    } else if (declared.includes(name)) {
      problems.push(error('duplicate-name', path, `prototype "${name}" is declared twice`, 'rename one of them; prototype names must be unique'));
    } else {
      const invalid = checkIdentifier(name, 'prototype', path);
      if (invalid) problems.push(invalid);
    }
    declared.push(name);
  }
  for (const { steps } of jobs) {
    for (const { step, path, kinds } of steps) {
      if (!kinds.includes('run')) continue;
      const message = asString(step.run);
      if (message !== undefined) {
        const invalid = checkIdentifier(message, 'run message', [...path, 'run']);
        if (invalid) problems.push({ ...invalid, severity: 'error' });
      }
      const type = asString(step.type);
      if (type !== undefined && !declared.includes(type)) {
        const guess = suggest(type, declared);
        problems.push(error('unknown-prototype', [...path, 'type'], `run step uses prototype "${type}", which is not declared under prototypes`, guess ? `did you mean "${guess}"?` : 'declare it under prototypes, or fix the name'));
      }
    }
  }
  return problems;
};
