import { ResourceError } from '../interface.js';
import { parseGoDuration } from '../go-duration.js';
import { parseTimeOfDay, TIME_OF_DAY_LAYOUTS } from './time-of-day.js';
import { isKnownTimeZone } from './zoned-time.js';

export interface TimeSource {
  interval?: string;
  location?: string;
  start?: string;
  stop?: string;
  days?: string[];
  initial_version?: boolean;
}

/** A time resource's source with units converted, checked once before use (habit 10). */
export interface TimeSchedule {
  intervalMs?: number;
  /** The daily window in minutes after midnight; both or neither (the schema says so). */
  startMinute?: number;
  stopMinute?: number;
  /** Allowed weekdays, 0 = Sunday; empty for every day. */
  days: number[];
  location: string;
  initialVersion: boolean;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function compileTimeSource(source: TimeSource): TimeSchedule {
  const location = source.location ?? 'UTC';
  if (!isKnownTimeZone(location)) {
    throw new ResourceError(
      'time-location-unknown',
      `source.location ${JSON.stringify(location)} is not a time zone`,
      'use an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
    );
  }
  const schedule: TimeSchedule = { days: (source.days ?? []).map(parseWeekday), location, initialVersion: source.initial_version ?? false };
  if (source.interval !== undefined) schedule.intervalMs = parseInterval(source.interval);
  if (source.start !== undefined) schedule.startMinute = parseWindowEdge('start', source.start);
  if (source.stop !== undefined) schedule.stopMinute = parseWindowEdge('stop', source.stop);
  return schedule;
}

function parseInterval(text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new ResourceError(
      'time-interval-invalid',
      `source.interval ${JSON.stringify(text)} is not ${ms === undefined ? 'a duration' : 'longer than zero'}`,
      'write a positive Go duration such as 30s, 5m, 1h30m or 168h',
    );
  }
  return ms;
}

function parseWindowEdge(field: 'start' | 'stop', text: string): number {
  const minute = parseTimeOfDay(text);
  if (minute === undefined) {
    throw new ResourceError(
      'time-of-day-invalid',
      `source.${field} ${JSON.stringify(text)} is not a time of day`,
      `write it in one of the formats ${TIME_OF_DAY_LAYOUTS.join(', ')} (e.g. 8:00 PM or 20:00), with AM/PM in capitals`,
    );
  }
  return minute;
}

/** Go's `ParseWeekday` in Concourse: full names or three letters, any case. */
function parseWeekday(text: string): number {
  const lower = text.toLowerCase();
  const index = WEEKDAYS.findIndex((day) => lower === day || lower === day.slice(0, 3));
  if (index < 0) {
    throw new ResourceError('time-day-invalid', `source.days has ${JSON.stringify(text)}, which is not a day of the week`, 'use Sunday, Monday, Tuesday, Wednesday, Thursday, Friday or Saturday');
  }
  return index;
}
