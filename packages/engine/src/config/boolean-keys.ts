import { warning, type PathSegment, type Problem } from './problem.js';
import type { YamlReadResult } from './yaml-source.js';

/**
 * Plain keys that YAML 1.1 reads as booleans. Concourse reads them so too and turns them into the
 * keys "true" and "false", so `no: x` under `params` reaches a resource as `false: x`.
 */
const BOOLEAN_WORD = '(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)';
const MAYBE_BOOLEAN_KEY = new RegExp(`(?:^|[\\s{,])${BOOLEAN_WORD}[ ]*:(?:\\s|$)`, 'm');
const BOOLEAN_KEY_TEXT = new RegExp(`^${BOOLEAN_WORD}$`);

/**
 * A warning for each key written as one of those words. Runs before interpolation, which may
 * rename keys; a key inside shared YAML (an anchor) is reported once, where it is written. Walks
 * the document only when the reader saw such a word (or did not count, and the text has one).
 */
export function booleanKeyWarnings(root: unknown, read: Pick<YamlReadResult, 'sourceMap' | 'booleanWords'>): Problem[] {
  const { sourceMap } = read;
  if (read.booleanWords === false || (read.booleanWords === undefined && !MAYBE_BOOLEAN_KEY.test(sourceMap.text))) return [];
  const problems: Problem[] = [];
  const reported = new Set<number>();
  const visit = (value: unknown, path: PathSegment[]): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'true' || key === 'false') {
        const [start, end] = sourceMap.spanOf(value)?.keys.get(key) ?? [0, 0];
        const written = sourceMap.text.slice(start, end);
        if (end > start && BOOLEAN_KEY_TEXT.test(written) && !reported.has(start)) {
          reported.add(start);
          problems.push({
            ...warning(
              'yaml-boolean-key',
              [...path, key],
              `the key \`${written}\` is read as the boolean ${key} (YAML 1.1, as Concourse reads it), so it becomes the key "${key}"`,
              `quote it ('${written}') if you mean the word`,
            ),
            at: 'key',
          });
        }
      }
      visit(child, [...path, key]);
    }
  };
  visit(root, []);
  return problems;
}
