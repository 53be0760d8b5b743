import { error, warning, type PathSegment, type Problem } from './problem.js';
import { hasUnsafeCharacters, showUnsafeCharacters } from './unsafe-characters.js';

// Concourse's rule: lowercase letters (any script), digits, then also `-`, `_` and `.`.
const VALID = /^[\p{Ll}\p{Lt}\p{Lm}\p{Lo}\d][\p{Ll}\p{Lt}\p{Lm}\p{Lo}\d\-_.]*$/u;
const PLACEHOLDER = /\(\([^)]*\)\)/g;
// Almost every name is plain ASCII that VALID accepts; this answers those without the Unicode
// classes and the placeholder pass. All digits is excluded: that gets a warning below.
const PLAIN_VALID = /^(?![0-9]+$)[a-z0-9][a-z0-9\-_.]*$/;

/**
 * Concourse only warns about names that break its identifier rule, so weir does too; vars inside
 * a name are left out of the check because their value is not known yet.
 */
export function checkIdentifier(name: string, what: string, path: PathSegment[]): Problem | undefined {
  if (PLAIN_VALID.test(name)) return undefined;
  // Concourse: "identifier cannot be an empty string", an error where other bad names only warn.
  if (name === '') return error('empty-name', path, `${what} name is empty`, 'give it a name: lowercase letters, digits, "-", "_" and "."');
  if (hasUnsafeCharacters(name)) {
    return error('name-unsafe-characters', path, `${what} "${showUnsafeCharacters(name)}" holds control or text-direction characters`, 'use lowercase letters, digits, "-", "_" and "."');
  }
  const bare = name.replace(PLACEHOLDER, '');
  if (bare === '' && name !== '') return undefined;
  if (/^\d+$/.test(bare)) {
    return warning('invalid-identifier', path, `${what} "${name}" is only digits`, 'start the name with a lowercase letter');
  }
  if (VALID.test(bare) || (bare !== name && /^[\p{Ll}\p{Lt}\p{Lm}\p{Lo}\d\-_.]*$/u.test(bare))) return undefined;
  const bad = [...new Set(bare.match(/[^\p{Ll}\p{Lt}\p{Lm}\p{Lo}\d\-_.]/gu) ?? [])];
  const detail = bad.length > 0 ? `contains ${bad.map((c) => JSON.stringify(c)).join(', ')}` : 'must start with a lowercase letter or digit';
  return warning('invalid-identifier', path, `${what} "${name}" ${detail}`, 'use lowercase letters, digits, "-", "_" and "."; Concourse warns about other names and may reject them in future');
}
