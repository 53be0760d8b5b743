import { ResourceError } from '../interface.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** The JSON Schema pattern matching what `parseGoDuration` accepts. */
export const GO_DURATION_PATTERN = '^((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+$';

/**
 * A Go `time.ParseDuration` string (`72h`, `1h30m`, `90s`) in milliseconds. Go's syntax rather
 * than ISO 8601 because Concourse users already write `check_every: 30m` in the same files.
 */
export function parseGoDuration(text: string, field: string): number {
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(text);
    if (!match || match.index !== start) return invalid(text, field);
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  if (text.length === 0) return invalid(text, field);
  return total;
}

function invalid(text: string, field: string): never {
  throw new ResourceError(
    'volume-snapshot-duration-invalid',
    `${field}: ${JSON.stringify(text)} is not a duration`,
    'write a number with a unit, as in Go: `72h`, `30m`, `1h30m`, `90s`',
  );
}
