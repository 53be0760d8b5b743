import { parseGoDuration } from '@weir/resources/go-duration';

/**
 * Parses Go's duration syntax (what Concourse accepts for `timeout`, `check_every`, ...):
 * `90s`, `1h30m`, `1.5h`, `500ms`, or `0`. Returns milliseconds, or undefined if invalid.
 */
export function parseDuration(text: string): number | undefined {
  return parseGoDuration(text.trim());
}
