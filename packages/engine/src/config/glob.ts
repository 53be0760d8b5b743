/**
 * Concourse matches `passed:` entries and group job lists as globs (`*`, `?`, `[abc]`, `{a,b}`).
 * Plain names, the common case, compare directly.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  if (!isGlob(pattern)) return (name) => name === pattern;
  let source = '';
  let inClass = false;
  let braceDepth = 0;
  for (const c of pattern) {
    if (inClass) {
      source += c === ']' ? ']' : c === '\\' ? '\\\\' : c;
      if (c === ']') inClass = false;
    } else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      source += '[';
      inClass = true;
    } else if (c === '{') {
      source += '(?:';
      braceDepth++;
    } else if (c === '}' && braceDepth > 0) {
      source += ')';
      braceDepth--;
    } else if (c === ',' && braceDepth > 0) source += '|';
    else source += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  if (inClass || braceDepth > 0) return (name) => name === pattern;
  const regex = new RegExp(`^${source}$`, 'u');
  return (name) => regex.test(name);
}

/** Whether a pattern has glob syntax; most `passed:` entries are plain job names. */
export function isGlob(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/** Why a group's job pattern is not a glob Concourse can compile (an unclosed `[` or `{`), if it is not. */
export function globSyntaxError(pattern: string): string | undefined {
  let inClass = false;
  let braceDepth = 0;
  for (const c of pattern) {
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '{') braceDepth++;
    else if (c === '}' && braceDepth > 0) braceDepth--;
  }
  if (inClass) return 'a "[" is not closed';
  if (braceDepth > 0) return 'a "{" is not closed';
  return undefined;
}
