import { GO_DURATION_PATTERN } from '../go-duration.js';
import type { JsonSchema } from '../interface.js';

export const delaySourceSchema: JsonSchema = {
  type: 'object',
  description: 'Versions that appear a set time after a put: `put` with `params: {after: 1h}`, and a `get` with `trigger: true` runs a job when that time has passed.',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      description:
        'What the delay is for (`demo-cleanup`). Resources with the same source share their versions, so a delay of one pipeline instance must have its own name: `cleanup-((pr))`.',
    },
  },
};

export const delayPutParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['after'],
  properties: {
    after: { type: 'string', pattern: GO_DURATION_PATTERN, description: 'How long after this put the version appears, as a Go duration: `1h`, `30m`, `90s`. Kept across restarts of weir; a version due while weir was down appears when it starts.' },
  },
};

export const delayGetParamsSchema: JsonSchema = {
  type: 'object',
  description: 'A get writes `due` (the time the version appeared, ISO 8601) and `scheduled.json` (when and by which build it was scheduled).',
  additionalProperties: false,
  properties: {},
};
