import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError, type ResourceType } from '../interface.js';
import { timeGetParamsSchema, timePutParamsSchema, timeSourceSchema } from './source-schema.js';
import { compileTimeSource, type TimeSource } from './time-schedule.js';
import { isNewVersionDue } from './time-window.js';
import { formatGoTime } from './zoned-time.js';

export type { TimeSource } from './time-schedule.js';

/** A moment as Go marshals `time.Time`: RFC 3339, in the source's location. */
export type TimeVersion = { time: string };

type NoParams = Record<string, never>;

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Concourse's time resource: check emits the current time when the interval has passed inside
 * the window; get writes what it was asked for; put records the current time. All of it reads
 * the engine's clock, so schedules are testable.
 */
export const timeResourceType: ResourceType<TimeSource, TimeVersion, NoParams, NoParams> = {
  name: 'time',
  description: 'A new version on an interval, optionally only within a daily time window and on some days (Concourse time resource).',
  sourceSchema: timeSourceSchema,
  getParamsSchema: timeGetParamsSchema,
  putParamsSchema: timePutParamsSchema,

  async check(ctx, source, from) {
    const schedule = compileTimeSource(source);
    const now = ctx.now().getTime();
    const current = { version: { time: formatGoTime(now, schedule.location) } };
    if (!from) return schedule.initialVersion || isNewVersionDue(schedule, now, undefined) ? [current] : [];
    return isNewVersionDue(schedule, now, versionInstant(from)) ? [{ version: from }, current] : [{ version: from }];
  },

  async get(ctx, source, version, _params, dir) {
    versionInstant(version);
    // As Concourse's `in`: the request as JSON, newline-terminated as Go's json.Encoder writes it.
    await writeFile(join(dir, 'input'), `${JSON.stringify({ source, version })}\n`);
    await writeFile(join(dir, 'timestamp'), version.time);
    ctx.log(`fetched time ${version.time}`);
    return { version };
  },

  async put(ctx, source) {
    const schedule = compileTimeSource(source);
    const time = formatGoTime(ctx.now().getTime(), schedule.location);
    ctx.log(`recorded time ${time}`);
    return { version: { time } };
  },
};

function versionInstant(version: TimeVersion): number {
  const instant = RFC3339.test(version.time ?? '') ? Date.parse(version.time) : Number.NaN;
  if (Number.isNaN(instant)) {
    throw new ResourceError(
      'time-version-invalid',
      `the version time ${JSON.stringify(version.time)} is not an RFC 3339 time`,
      'time versions look like {time: "2024-05-01T08:00:00Z"}; use a version this resource emitted',
    );
  }
  return instant;
}
