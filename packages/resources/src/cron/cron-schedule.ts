import { Cron } from 'croner';
import { ResourceError } from '../interface.js';
import { isKnownTimeZone } from '../time/zoned-time.js';

export type CatchUp = 'latest' | 'all' | 'none';

export interface CronSource {
  expression: string;
  location?: string;
  catch_up?: CatchUp;
  initial_version?: boolean;
}

/** A cron resource's source, checked and compiled once per call (habit 10). */
export interface CronSchedule {
  expression: string;
  location: string;
  catchUp: CatchUp;
  initialVersion: boolean;
  /** The slot after `instant`, strictly; undefined when the expression never matches again. */
  slotAfter(instant: number): number | undefined;
  /** Up to `count` slots at or before `instant`, newest first. */
  slotsUpTo(instant: number, count: number): number[];
}

export function compileCronSource(source: CronSource): CronSchedule {
  const location = source.location ?? 'UTC';
  if (!isKnownTimeZone(location)) {
    throw new ResourceError(
      'cron-location-unknown',
      `source.location ${JSON.stringify(location)} is not a time zone`,
      'use an IANA time zone name such as UTC, Europe/Berlin or America/New_York',
    );
  }
  const cron = parseExpression(source.expression, location);
  return {
    expression: source.expression,
    location,
    catchUp: source.catch_up ?? 'latest',
    initialVersion: source.initial_version ?? false,
    slotAfter: (instant) => cron.nextRun(new Date(instant))?.getTime(),
    // croner looks strictly before its reference; slots fall on whole seconds, so 1 ms later includes `instant`.
    slotsUpTo: (instant, count) => cron.previousRuns(count, new Date(instant + 1)).map((slot) => slot.getTime()),
  };
}

const EXPRESSION_HINT =
  'write 5 fields (minute hour day-of-month month day-of-week, e.g. "0 3 * * *") or 6 with seconds first, or a nickname such as @daily';

function parseExpression(expression: string, location: string): Cron {
  const fields = expression.trim().split(/\s+/);
  const shaped = fields.length === 5 || fields.length === 6 || (fields.length === 1 && fields[0]!.startsWith('@'));
  // croner reads text with a colon as a one-off date; a cron resource wants a schedule.
  if (!shaped || expression.includes(':')) {
    throw new ResourceError('cron-expression-invalid', `source.expression ${JSON.stringify(expression)} is not a cron expression`, EXPRESSION_HINT);
  }
  try {
    return new Cron(expression, {
      timezone: location,
      mode: '5-or-6-parts',
      // cron(8) runs a job when either day field matches if both are restricted; croner's default, set so it stays.
      domAndDow: false,
      // Vixie cron's rule for DST: a job without wildcards or steps in its time fields (`30 2 * * *`,
      // `0 2,14 * * *`) runs once when its time is skipped or repeated; wildcard jobs follow real time.
      fixedTimeRule: 'no-wildcard',
    });
  } catch (error) {
    throw new ResourceError(
      'cron-expression-invalid',
      `source.expression ${JSON.stringify(expression)} is not a cron expression: ${error instanceof Error ? error.message : String(error)}`,
      EXPRESSION_HINT,
    );
  }
}
