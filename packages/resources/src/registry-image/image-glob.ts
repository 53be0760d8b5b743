import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError } from '../interface.js';

/**
 * One path segment of a glob as Go's `filepath.Glob` reads it (Concourse's `image` param):
 * `*`, `?` and `[...]` (with `^` or `!` to negate, `\` to escape), never crossing a `/`.
 * Undefined for a literal segment, which needs no directory listing.
 */
export function segmentPattern(segment: string): RegExp | undefined {
  if (!/[*?[\\]/.test(segment)) return undefined;
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] as string;
    if (char === '\\' && i + 1 < segment.length) source += escapeRegExp(segment[++i] as string);
    else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) throw badPattern(segment, 'an unclosed [');
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('^') || body.startsWith('!');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\]\\^]/g, (c) => `\\${c}`)}]`;
      i = close;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => `\\${c}`);
}

function badPattern(pattern: string, why: string): ResourceError {
  return new ResourceError('registry-image-invalid-image-glob', `the image pattern ${JSON.stringify(pattern)} has ${why}`, 'use a glob like `image/image.tar` or `build/*.tar`');
}

/** The paths (relative to `workdir`, sorted) that `pattern` matches. */
export async function expandGlob(workdir: string, pattern: string): Promise<string[]> {
  if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
    throw new ResourceError('registry-image-image-outside', `the image path ${JSON.stringify(pattern)} leaves the build's artifacts`, 'write a path relative to the step, like `image/image.tar`, without ..');
  }
  const segments = pattern.split('/').filter((segment) => segment !== '' && segment !== '.');
  let matches = [''];
  for (const segment of segments) {
    const matcher = segmentPattern(segment);
    const next: string[] = [];
    for (const base of matches) {
      if (matcher === undefined) {
        if (await exists(join(workdir, base, segment))) next.push(join(base, segment));
        continue;
      }
      const entries = await readdir(join(workdir, base)).catch(() => [] as string[]);
      for (const entry of entries) if (matcher.test(entry)) next.push(join(base, entry));
    }
    matches = next;
  }
  return matches.filter((match) => match !== '').sort();
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
