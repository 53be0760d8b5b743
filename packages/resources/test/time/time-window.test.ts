import { describe, expect, it } from 'vitest';
import { compileTimeSource, type TimeSource } from '../../src/time/time-schedule.js';
import { isNewVersionDue, latestWindow } from '../../src/time/time-window.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (instant: number) => new Date(instant).toISOString();

describe('the daily window (Concourse LatestRangeBefore)', () => {
  it.each([
    [{ start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T20:30:00Z', '2024-05-01T20:00:00.000Z', '2024-05-01T21:00:00.000Z'],
    [{ start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T19:00:00Z', '2024-04-30T20:00:00.000Z', '2024-04-30T21:00:00.000Z'],
    // A stop before the start ends the window the next day.
    [{ start: '22:00', stop: '02:00' }, '2024-05-02T01:00:00Z', '2024-05-01T22:00:00.000Z', '2024-05-02T02:00:00.000Z'],
    // Without start and stop, the whole day from midnight.
    [{}, '2024-05-01T13:00:00Z', '2024-05-01T00:00:00.000Z', '2024-05-02T00:00:00.000Z'],
    // In a location, across the spring change: 08:00 is 07:00Z the day before, 06:00Z the day after.
    [{ start: '08:00', stop: '09:00', location: 'Europe/Berlin' }, '2024-03-30T07:30:00Z', '2024-03-30T07:00:00.000Z', '2024-03-30T08:00:00.000Z'],
    [{ start: '08:00', stop: '09:00', location: 'Europe/Berlin' }, '2024-03-31T06:30:00Z', '2024-03-31T06:00:00.000Z', '2024-03-31T07:00:00.000Z'],
    [{ start: '9:00 AM', stop: '5:00 PM', location: 'America/New_York' }, '2024-11-04T15:00:00Z', '2024-11-04T14:00:00.000Z', '2024-11-04T22:00:00.000Z'],
  ] as Array<[TimeSource, string, string, string]>)('%j at %s is %s – %s', (source, reference, start, stop) => {
    const window = latestWindow(compileTimeSource(source), utc(reference));
    expect([iso(window.start), iso(window.stop)]).toEqual([start, stop]);
  });
});

describe('whether a check emits a new version (Concourse TimeLord.Check)', () => {
  it.each([
    ['first check, interval only', { interval: '1h' }, '2024-05-01T10:00:00Z', undefined, true],
    ['interval not yet passed', { interval: '1h' }, '2024-05-01T10:59:59Z', '2024-05-01T10:00:00Z', false],
    ['interval just passed', { interval: '1h' }, '2024-05-01T11:00:00Z', '2024-05-01T10:00:00Z', true],
    ['interval counts real time across the spring change', { interval: '1h', location: 'Europe/Berlin' }, '2024-03-31T01:30:00Z', '2024-03-31T00:30:00Z', true],
    ['before the window', { start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T19:59:00Z', undefined, false],
    ['at the window start', { start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T20:00:00Z', undefined, true],
    ['at the window stop', { start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T21:00:00Z', undefined, false],
    ['window without interval: once per window', { start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T20:40:00Z', '2024-05-01T20:05:00Z', false],
    ['window without interval: the next day', { start: '8:00 PM', stop: '9:00 PM' }, '2024-05-02T20:01:00Z', '2024-05-01T20:05:00Z', true],
    ['interval inside the window', { interval: '10m', start: '8:00 PM', stop: '9:00 PM' }, '2024-05-01T20:15:00Z', '2024-05-01T20:05:00Z', true],
    ['window in a location', { start: '8:00 PM', stop: '9:00 PM', location: 'America/Los_Angeles' }, '2024-05-02T03:30:00Z', undefined, true],
    ['a window across midnight', { start: '22:00', stop: '02:00' }, '2024-05-02T01:00:00Z', '2024-05-01T21:00:00Z', true],
    ['an allowed day', { interval: '1h', days: ['Saturday'] }, '2024-06-01T12:00:00Z', undefined, true],
    ['another day', { interval: '1h', days: ['Saturday', 'sun'] }, '2024-06-03T12:00:00Z', undefined, false],
    ['days read in the location', { interval: '1h', days: ['Sunday'], location: 'Europe/Berlin' }, '2024-06-01T22:30:00Z', undefined, true],
    ['a deprecated offset', { start: '3:00 -0700', stop: '4:30 -0700' }, '2024-05-01T10:15:00Z', undefined, true],
  ] as Array<[string, TimeSource, string, string | undefined, boolean]>)('%s', (_name, source, now, previous, due) => {
    expect(isNewVersionDue(compileTimeSource(source), utc(now), previous === undefined ? undefined : utc(previous))).toBe(due);
  });
});

describe('compiling a time source', () => {
  it.each([
    [{ interval: '5 minutes' }, 'time-interval-invalid'],
    [{ interval: '0s' }, 'time-interval-invalid'],
    [{ start: '8pm', stop: '9pm' }, 'time-of-day-invalid'],
    [{ start: '20:00', stop: '25:00' }, 'time-of-day-invalid'],
    [{ location: 'Mars/Olympus_Mons' }, 'time-location-unknown'],
    [{ days: ['Funday'] }, 'time-day-invalid'],
  ] as Array<[TimeSource, string]>)('rejects %j with %s, saying what to write', (source, code) => {
    expect(() => compileTimeSource(source)).toThrow(expect.objectContaining({ code, hint: expect.any(String) }));
  });
});
