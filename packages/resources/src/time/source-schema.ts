import type { JsonSchema } from '../interface.js';
import { TIME_OF_DAY_LAYOUTS } from './time-of-day.js';

const timeOfDayFormats = `Formats: ${TIME_OF_DAY_LAYOUTS.filter((layout) => !layout.endsWith('-0700')).join(', ')}; an appended offset such as -0700 is accepted but deprecated in favour of \`location\`.`;

export const timeSourceSchema: JsonSchema = {
  type: 'object',
  description:
    'Versions on an interval, optionally only between `start` and `stop` on some `days` (Concourse time resource). Each version is `{time}`, the check time in `location` as RFC 3339.',
  additionalProperties: false,
  dependencies: { start: ['stop'], stop: ['start'] },
  properties: {
    interval: {
      type: 'string',
      description:
        'A new version once this long has passed since the last one, as a Go duration: `60s`, `90m`, `1h30m`, `168h`. Without it, one version per `start`–`stop` window (per day, from midnight, without a window either).',
    },
    location: {
      type: 'string',
      description: 'The IANA time zone in which `start`, `stop` and `days` are read, and versions written, e.g. `Europe/Berlin`. Default: UTC.',
    },
    start: {
      type: 'string',
      description: `New versions only on or after this time of day, e.g. \`8:00 PM\` or \`20:00\`; needs \`stop\`. ${timeOfDayFormats}`,
    },
    stop: {
      type: 'string',
      description: `New versions only before this time of day; a \`stop\` earlier than \`start\` ends the window the next day. Needs \`start\`. ${timeOfDayFormats}`,
    },
    days: {
      type: 'array',
      description: 'New versions only on these days (in `location`): Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, or Sun..Sat, in any case.',
      items: { type: 'string', description: 'A day of the week, e.g. `Monday` or `mon`.' },
    },
    initial_version: {
      type: 'boolean',
      description: 'Emit a version on the first check even outside the window or the days, so jobs can run before the first scheduled time. Default: false.',
    },
  },
};

const noParams = (what: string): JsonSchema => ({
  type: 'object',
  description: `The time resource takes no ${what} params.`,
  additionalProperties: false,
  properties: {},
});

export const timeGetParamsSchema = noParams('get');
export const timePutParamsSchema = noParams('put');
