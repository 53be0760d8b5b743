import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError, type ResourceType, type Versioned } from '../interface.js';
import { formatGoTime } from '../time/zoned-time.js';
import { compileCronSource, type CatchUp, type CronSource } from './cron-schedule.js';
import { cronGetParamsSchema, cronSourceSchema } from './source-schema.js';
import { CATCH_UP_LIMIT, selectSlots } from './slot-selection.js';

export type { CatchUp, CronSource } from './cron-schedule.js';

/** A slot of the schedule, as an ISO 8601 time in UTC: the version's identity. */
export type CronVersion = { time: string };

type NoParams = Record<string, never>;

const LEFT_OUT: Record<CatchUp, string> = {
  latest: 'a version for the latest only',
  all: `versions for the latest ${CATCH_UP_LIMIT} only`,
  none: 'no versions for them',
};

/**
 * Versions at the slots of a cron schedule (croner, cron(8) semantics). Checks read the
 * engine's clock; `nextVersionAt` lets the checker check right at the next slot.
 */
export const cronResourceType: ResourceType<CronSource, CronVersion, NoParams, NoParams> = {
  name: 'cron',
  description: 'A version at every slot of a cron schedule, in a time zone, with a choice of what happens to slots missed while weir was down.',
  sourceSchema: cronSourceSchema,
  getParamsSchema: cronGetParamsSchema,

  async check(ctx, source, from) {
    const schedule = compileCronSource(source);
    const { slots, leftOut } = selectSlots(schedule, ctx.now().getTime(), from && slotOf(from));
    if (from && leftOut) ctx.log(`slots were missed since ${from.time}: ${LEFT_OUT[schedule.catchUp]} (catch_up: ${schedule.catchUp})`);
    const found: Versioned<CronVersion>[] = slots.map((slot) => ({ version: { time: new Date(slot).toISOString() } }));
    return from ? [{ version: from }, ...found] : found;
  },

  nextVersionAt(source, now) {
    const next = compileCronSource(source).slotAfter(now.getTime());
    return next === undefined ? undefined : new Date(next);
  },

  async get(ctx, source, version, _params, dir) {
    const schedule = compileCronSource(source);
    const local = formatGoTime(slotOf(version), schedule.location);
    await writeFile(join(dir, 'time'), version.time);
    ctx.log(`slot ${version.time} (${local} in ${schedule.location})`);
    return {
      version,
      metadata: [
        { name: 'scheduled', value: local },
        { name: 'expression', value: schedule.expression },
        { name: 'location', value: schedule.location },
      ],
    };
  },

  async put() {
    throw new ResourceError(
      'cron-put-unsupported',
      'a cron resource cannot be put to: its versions are the slots of its schedule',
      'remove the put step for this resource and keep it as a get (with trigger: true to run on the schedule); to record a time in a build, put to a `time` resource',
    );
  },
};

function slotOf(version: CronVersion): number {
  const slot = typeof version.time === 'string' ? Date.parse(version.time) : Number.NaN;
  if (Number.isNaN(slot)) {
    throw new ResourceError(
      'cron-version-invalid',
      `the version time ${JSON.stringify(version.time)} is not a slot time`,
      'cron versions look like {time: "2024-05-01T03:00:00.000Z"}; use a version this resource emitted',
    );
  }
  return slot;
}
