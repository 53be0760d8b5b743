import { describe, expect, it } from 'vitest';
import { addCalendarDays, formatGoTime, isKnownTimeZone, wallClock, zonedInstant } from '../../src/time/zoned-time.js';

const utc = (iso: string) => Date.parse(iso);

describe('zoned time, as Go computes it', () => {
  it.each([
    // An ordinary reading.
    ['Europe/Berlin', [2024, 5, 1, 8, 0], '2024-05-01T06:00:00.000Z'],
    ['America/New_York', [2024, 1, 15, 8, 0], '2024-01-15T13:00:00.000Z'],
    // Day 0 rolls back to the end of the previous month, as in time.Date.
    ['UTC', [2024, 3, 0, 12, 0], '2024-02-29T12:00:00.000Z'],
    // Readings in the hour skipped in spring: Go's time.Date moves Berlin forward, New York back.
    ['Europe/Berlin', [2024, 3, 31, 2, 30], '2024-03-31T01:30:00.000Z'],
    ['America/New_York', [2024, 3, 10, 2, 30], '2024-03-10T06:30:00.000Z'],
    // Readings in the hour repeated in autumn: Berlin's second pass, New York's first.
    ['Europe/Berlin', [2024, 10, 27, 2, 30], '2024-10-27T01:30:00.000Z'],
    ['America/New_York', [2024, 11, 3, 1, 30], '2024-11-03T05:30:00.000Z'],
  ] as const)('in %s, %j is %s', (zone, [year, month, day, hour, minute], iso) => {
    expect(new Date(zonedInstant(zone, year, month, day, hour, minute)).toISOString()).toBe(iso);
  });

  it('adds calendar days keeping the wall clock across a DST change', () => {
    const before = utc('2024-03-30T07:00:00Z'); // 08:00 CET
    expect(new Date(addCalendarDays(before, 1, 'Europe/Berlin')).toISOString()).toBe('2024-03-31T06:00:00.000Z'); // 08:00 CEST
    expect(new Date(addCalendarDays(utc('2024-03-31T06:00:00Z'), -1, 'Europe/Berlin')).toISOString()).toBe('2024-03-30T07:00:00.000Z');
  });

  it('reads the wall clock and weekday in a zone', () => {
    expect(wallClock(utc('2024-06-01T22:30:00Z'), 'Europe/Berlin')).toEqual({
      year: 2024,
      month: 6,
      day: 2,
      hour: 0,
      minute: 30,
      second: 0,
      millisecond: 0,
      weekday: 0,
      offsetMs: 7_200_000,
    });
  });

  it.each([
    [utc('2024-05-01T18:15:00Z'), 'UTC', '2024-05-01T18:15:00Z'],
    [utc('2024-05-01T18:15:00.120Z'), 'UTC', '2024-05-01T18:15:00.12Z'],
    [utc('2024-05-01T18:15:00.007Z'), 'Europe/Berlin', '2024-05-01T20:15:00.007+02:00'],
    [utc('2024-01-01T00:00:00Z'), 'America/New_York', '2023-12-31T19:00:00-05:00'],
    [utc('2024-01-01T00:00:00Z'), 'Asia/Kolkata', '2024-01-01T05:30:00+05:30'],
    // Go writes Z for any zero offset, London in winter too.
    [utc('2024-01-01T09:00:00Z'), 'Europe/London', '2024-01-01T09:00:00Z'],
  ])('formats %d in %s as Go marshals time.Time: %s', (instant, zone, text) => {
    expect(formatGoTime(instant, zone)).toBe(text);
  });

  it('knows IANA zones and nothing else', () => {
    expect(isKnownTimeZone('Africa/Abidjan')).toBe(true);
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
