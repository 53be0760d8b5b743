import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../src/go-duration.js';
import { parseTimeOfDay } from '../../src/time/time-of-day.js';

describe('Go durations (interval)', () => {
  it.each([
    ['60s', 60_000],
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['168h', 604_800_000],
    ['500ms', 500],
    ['0', 0],
    ['-1m', -60_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '1', '5 m', '1d', 'h', '.s', ' 5m', '5m '])('rejects %j as Go does', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

const at = (hour: number, minute = 0) => hour * 60 + minute;

describe('times of day (start, stop)', () => {
  it.each([
    ['8:00 PM', at(20)],
    ['8:00 AM', at(8)],
    ['07:00 AM', at(7)],
    ['12:00 AM', at(0)],
    ['12:30 PM', at(12, 30)],
    ['3PM', at(15)],
    ['3 PM', at(15)],
    ['3  PM', at(15)],
    ['20:00', at(20)],
    ['9:05', at(9, 5)],
    ['1504', at(15, 4)],
    ['0800', at(8)],
    // An offset converts to UTC, as Concourse does before `location` reads the time.
    ['3:00 -0700', at(10)],
    ['23:30 -0700', at(6, 30)],
    ['6:00 -0000', at(6)],
    ['3:04 PM -0700', at(22, 4)],
    ['1:00 AM +0200', at(23)],
  ])('reads %j as minute %d', (text, minute) => {
    expect(parseTimeOfDay(text)).toBe(minute);
  });

  it.each(['8:00 pm', '25:00', '13 PM', '8', '8:0', '800', '20:00 extra', '', '3:04PM', ' 8:00', '20:60', '3:00 -07'])('rejects %j as Go does', (text) => {
    expect(parseTimeOfDay(text)).toBeUndefined();
  });
});
