import { ResourceError } from '../interface.js';

/**
 * A POSIX extended regular expression matching whole names, as Concourse's resources apply
 * theirs (`grep -Ex`). JavaScript regex is a superset of ERE except for bracket classes like
 * `[[:digit:]]`, which are translated. Throws the SyntaxError of an invalid expression.
 */
export function wholeNameRegex(regex: string): RegExp {
  const translated = regex.replace(/\[:([a-z]+):\]/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole);
  return new RegExp(`^(?:${translated})$`);
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
};

/** What a field holding such a regex is, for the error when it does not compile. */
export interface RegexField {
  /** The error code, e.g. `git-tag-regex-invalid`. */
  code: string;
  /** The source field, e.g. `tag_regex`. */
  field: string;
  /** What it matches, e.g. `tag names`. */
  names: string;
  example: string;
}

/** `wholeNameRegex` as a test, with a coded error saying which field is wrong. */
export function wholeNameMatcher(regex: string, field: RegexField): (name: string) => boolean {
  let compiled: RegExp;
  try {
    compiled = wholeNameRegex(regex);
  } catch (error) {
    throw new ResourceError(
      field.code,
      `${field.field} ${JSON.stringify(regex)} is not a valid regular expression: ${(error as Error).message}`,
      `write an extended regular expression matching whole ${field.names}, e.g. ${field.example}`,
    );
  }
  return (name) => compiled.test(name);
}
