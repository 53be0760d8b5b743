import { asRecord, asString } from '../loose.js';
import { error, type Problem } from '../problem.js';
import { isWholeVarReference } from '../vars.js';
import type { Rule } from './rule.js';

/** A URL scheme as Go's url.Parse finds it: a letter, then letters, digits, `+`, `-` or `.`, then a colon. */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * `display.background_image` is an http(s) URL or a relative one, as Concourse requires: the web
 * UI loads it into every viewer's browser, so `javascript:`, `data:` or `file:` are refused.
 */
export const displayConfig: Rule = ({ config }) => {
  const image = asString(asRecord(config.display)?.background_image);
  if (image === undefined || image === '' || isWholeVarReference(image)) return [];
  const path = ['display', 'background_image'];
  const problems: Problem[] = [];
  // Go's url.Parse refuses control characters and malformed percent escapes.
  if (/[\u0000-\u001f\u007f]/.test(image) || /%(?![0-9a-fA-F]{2})/.test(image)) {
    problems.push(error('display-invalid-url', path, 'background_image is not a valid URL', 'give an http:// or https:// URL, or a path relative to the web UI; percent-encode special characters'));
    return problems;
  }
  const scheme = SCHEME.exec(image)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    problems.push(error('display-url-scheme', path, `background_image uses the "${scheme}:" scheme`, 'use an http:// or https:// URL, or a relative one (Concourse accepts nothing else)'));
  }
  return problems;
};
