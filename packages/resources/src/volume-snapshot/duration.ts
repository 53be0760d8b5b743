import { parseGoDuration } from '../go-duration.js';
import { ResourceError } from '../interface.js';

export { GO_DURATION_PATTERN } from '../go-duration.js';

/** A duration field of this type in milliseconds; a clear error names the field otherwise. */
export function parseDurationField(text: string, field: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0 || text.startsWith('+') || text === '0') {
    throw new ResourceError(
      'volume-snapshot-duration-invalid',
      `${field}: ${JSON.stringify(text)} is not a duration`,
      'write a number with a unit, as in Go: `72h`, `30m`, `1h30m`, `90s`',
    );
  }
  return ms;
}
