import { describe, expect, it } from 'vitest';
import { ResourceError } from '../../src/interface.js';
import { parseDurationField } from '../../src/volume-snapshot/duration.js';

describe('parseDurationField', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationField(text, 'max_age')).toBe(ms);
  });

  it.each(['', '72', '3d', 'h', '1h 30m', '-5m', '+5m', '0'])('rejects %j with a hint', (text) => {
    expect(() => parseDurationField(text, 'max_age')).toThrow(ResourceError);
    expect(() => parseDurationField(text, 'max_age')).toThrow(/max_age/);
  });
});
