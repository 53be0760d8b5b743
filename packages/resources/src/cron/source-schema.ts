import type { JsonSchema } from '../interface.js';
import { CATCH_UP_LIMIT, SLOT_GRACE_MS } from './slot-selection.js';

const grace = `${SLOT_GRACE_MS / 60_000} minutes`;

export const cronSourceSchema: JsonSchema = {
  type: 'object',
  description: 'A version at every slot of a cron schedule; the version is the slot (`{time}`, UTC), not the time of the check.',
  additionalProperties: false,
  required: ['expression'],
  properties: {
    expression: {
      type: 'string',
      minLength: 1,
      description:
        'The schedule, as cron(8) reads it: 5 fields (minute hour day-of-month month day-of-week, e.g. `0 3 * * 1-5`), or 6 with seconds first; nicknames such as `@daily` work too. When both day-of-month and day-of-week are restricted, a day matching either one is scheduled (`0 12 1 * MON`: the 1st and every Monday). On DST change days a fixed time (`30 2 * * *`, `0 1,13 * * *`) runs exactly once: after the skipped hour in spring, at its first occurrence in autumn. Expressions with wildcards or steps in the time fields (`*/15 * * * *`) follow real time through the change.',
    },
    location: {
      type: 'string',
      description: 'The IANA time zone the expression is read in, e.g. `Europe/Berlin`. Default: UTC.',
    },
    catch_up: {
      type: 'string',
      enum: ['latest', 'all', 'none'],
      description: `Slots missed while weir was down or not checking. \`latest\` (default): one version, for the latest missed slot, so one build catches up. \`all\`: a version for every missed slot, at most the latest ${CATCH_UP_LIMIT}. \`none\`: no version for missed slots; only a slot that passed less than ${grace} before the check.`,
    },
    initial_version: {
      type: 'boolean',
      description: `Make the first check emit the latest slot before now, however long ago, so jobs can get the resource before its first slot comes. Default: false — a new cron resource has no version until its next slot (or one that passed less than ${grace} before its first check), so setting a pipeline does not start the jobs it triggers.`,
    },
  },
};

export const cronGetParamsSchema: JsonSchema = {
  type: 'object',
  description: 'The cron resource takes no get params.',
  additionalProperties: false,
  properties: {},
};
