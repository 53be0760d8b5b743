/**
 * Calendar arithmetic in IANA time zones, the way Go's `time` package does it, because the
 * time resource's behaviour (and its versions) come from Go: `time.Date`, `AddDate`, and
 * `time.Time` marshalled as RFC 3339 with nanoseconds.
 */

/** What a clock on the wall in a zone shows at an instant. */
export interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday, as Go's `time.Weekday`. */
  weekday: number;
  /** Milliseconds ahead of UTC. */
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether the runtime's time zone database knows `zone` (an IANA name such as Europe/Berlin). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export function wallClock(instant: number, zone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  const millisecond = ((instant % 1000) + 1000) % 1000;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return { year, month, day, hour, minute, second, millisecond, weekday: new Date(asUtc).getUTCDay(), offsetMs: asUtc - instant };
}

function offsetAt(instant: number, zone: string): number {
  return wallClock(instant, zone).offsetMs;
}

/**
 * The instant a wall clock in `zone` shows the given reading; out-of-range fields roll over
 * (day 0 is the last day of the previous month), as in Go's `time.Date`. A reading that does
 * not exist (the hour skipped in spring) or exists twice (the hour repeated in autumn)
 * resolves as Go resolves it: with the offset in force at the reading taken as UTC, corrected
 * once if that lands in another offset.
 */
export function zonedInstant(zone: string, year: number, month: number, day: number, hour: number, minute: number, second = 0): number {
  const reading = Date.UTC(year, month - 1, day, hour, minute, second);
  return reading - offsetAt(reading - offsetAt(reading, zone), zone);
}

/** Go's `t.AddDate(0, 0, days)`: the same wall-clock reading, `days` calendar days away. */
export function addCalendarDays(instant: number, days: number, zone: string): number {
  const wall = wallClock(instant, zone);
  return zonedInstant(zone, wall.year, wall.month, wall.day + days, wall.hour, wall.minute, wall.second) + wall.millisecond;
}

/**
 * An instant as Go's `time.Time` marshals to JSON in `zone` (RFC 3339 with the fraction's
 * trailing zeros dropped, `Z` for a zero offset), so versions read as Concourse's do.
 */
export function formatGoTime(instant: number, zone: string): string {
  const wall = wallClock(instant, zone);
  const date = `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
  const fraction = wall.millisecond === 0 ? '' : `.${pad(wall.millisecond, 3).replace(/0+$/, '')}`;
  const time = `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${fraction}`;
  return `${date}T${time}${formatOffset(wall.offsetMs)}`;
}

function formatOffset(offsetMs: number): string {
  if (offsetMs === 0) return 'Z';
  const minutes = Math.floor(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
