import { warning, type Problem } from '../problem.js';
import { pipelineJsonSchema } from '../schema/index.js';
import { suggest } from '../suggest.js';
import type { Rule } from './rule.js';

const KNOWN = Object.keys((pipelineJsonSchema as unknown as { properties: object }).properties);

/**
 * Concourse drops unknown top-level keys, and real pipelines rely on that to park YAML anchors
 * (`meta:`, `anchors:`); so they are a warning, unless the key looks like a typo of a real one.
 */
export const topLevelKeys: Rule = ({ config }) => {
  const problems: Problem[] = [];
  for (const key of Object.keys(config)) {
    if (KNOWN.includes(key)) continue;
    const guess = suggest(key, KNOWN);
    problems.push({
      ...warning(
        'unknown-top-level-key',
        [key],
        `top-level key "${key}" is not part of the pipeline format and is ignored`,
        guess ? `did you mean "${guess}"?` : 'fine for holding YAML anchors; `weir validate --strict` rejects it',
      ),
      at: 'key',
    });
  }
  return problems;
};
