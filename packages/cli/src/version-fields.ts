import { CliError } from './cli-error.js';

/** A resource version, or part of one: the string fields a resource type reports. */
export type VersionFields = Record<string, string>;

/**
 * `-v ref:abc -v branch:main`, or `-v ref:abc,branch:main`. A comma splits fields only when
 * every piece is a `key:value`, so a value may hold a comma (`-v tags:a,b` is one field).
 */
export function parseVersionFields(texts: readonly string[], flag: string): VersionFields {
  const fields: VersionFields = {};
  for (const text of texts) {
    const pieces = text.split(',');
    const pairs = pieces.every((piece) => piece.indexOf(':') > 0) ? pieces : [text];
    for (const pair of pairs) {
      const colon = pair.indexOf(':');
      if (colon <= 0) {
        throw new CliError(`${flag} ${JSON.stringify(text)} is not key:value`, `write ${flag} ref:4f0c2a1 with a field of the version, as \`weir versions\` shows it`);
      }
      fields[pair.slice(0, colon)] = pair.slice(colon + 1);
    }
  }
  return fields;
}

/** `ref:abc,branch:main`, as `weir versions` shows a version and as `-v` takes it back. */
export function formatVersionFields(version: Readonly<Record<string, unknown>>): string {
  return Object.entries(version)
    .map(([key, value]) => `${key}:${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(',');
}

/** Whether every given field is in the version with that value; the version may have more. */
export function versionMatches(version: Readonly<Record<string, unknown>>, fields: VersionFields): boolean {
  return Object.entries(fields).every(([key, value]) => version[key] === value);
}
