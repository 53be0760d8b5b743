import type { TimeSchedule } from './time-schedule.js';
import { addCalendarDays, wallClock, zonedInstant } from './zoned-time.js';

export interface Window {
  start: number;
  stop: number;
}

/**
 * The daily window that started last at or before `reference` (Concourse's
 * `LatestRangeBefore`). Without `start`/`stop` the window is the whole day from midnight.
 */
export function latestWindow(schedule: TimeSchedule, reference: number): Window {
  const zone = schedule.location;
  const startMinute = schedule.startMinute ?? 0;
  const stopMinute = schedule.stopMinute ?? 0;
  const today = wallClock(reference, zone);
  let start = zonedInstant(zone, today.year, today.month, today.day, Math.floor(startMinute / 60), startMinute % 60);
  if (start > reference) start = addCalendarDays(start, -1, zone);
  const startDay = wallClock(start, zone);
  let stop = zonedInstant(zone, startDay.year, startDay.month, startDay.day, Math.floor(stopMinute / 60), stopMinute % 60);
  if (stop <= start) stop = addCalendarDays(stop, 1, zone);
  return { start, stop };
}

/**
 * Whether a check at `now` emits a new version (Concourse's `TimeLord.Check`): on an allowed
 * day, inside the window, and either the first version, an `interval` after the previous one,
 * or — without an interval — the first version of this window.
 */
export function isNewVersionDue(schedule: TimeSchedule, now: number, previous: number | undefined): boolean {
  const { start, stop } = latestWindow(schedule, now);
  if (schedule.days.length > 0 && !schedule.days.includes(wallClock(now, schedule.location).weekday)) return false;
  if (now < start || now >= stop) return false;
  if (previous === undefined) return true;
  if (schedule.intervalMs !== undefined) return now - previous >= schedule.intervalMs;
  return previous < start;
}
