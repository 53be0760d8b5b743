import { GO_DURATION_PATTERN } from '../go-duration.js';
import type { JsonSchema } from '../interface.js';

export const notificationSourceSchema: JsonSchema = {
  type: 'object',
  description:
    'Posts a message about the build to an HTTP endpoint (a chat webhook, an alerting service) on `put`, e.g. in `on_failure`. The URL usually holds a token: give it as a secret, `url: ((slack-webhook))`; weir never writes it into a log.',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      pattern: '^https?://[^\\s/]+',
      description: 'Where the message is POSTed, an http:// or https:// URL. Treated as a secret: logs and errors name only its host.',
    },
    format: {
      enum: ['json', 'slack'],
      default: 'json',
      description:
        '`json`: `{"text", "status", "build": {"team", "pipeline", "job", "name", "id", "url"}}`. `slack`: Slack\'s incoming-webhook payload (`text`, and `channel`, `username`, `icon_url`, `icon_emoji` when set), which Mattermost, Rocket.Chat and Discord\'s `/slack` endpoint take too.',
    },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Extra request headers, e.g. `Authorization: Bearer ((alert-token))`. Their values are never logged.',
    },
    channel: { type: 'string', description: 'Slack format: the channel to post to, where the webhook allows overriding it.' },
    username: { type: 'string', description: 'Slack format: the name the message is posted under.' },
    icon_url: { type: 'string', description: 'Slack format: the avatar image of the message.' },
    icon_emoji: { type: 'string', description: 'Slack format: an emoji avatar, as `:rotating_light:`.' },
    retries: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 3,
      description: 'How many times a message is sent again after a network error, a 5xx or a 429 answer (waiting as `Retry-After` says, else 1 s, 2 s, 4 s...). Other answers fail the put at once.',
    },
    timeout: { type: 'string', pattern: GO_DURATION_PATTERN, default: '30s', description: 'How long one attempt may take, as a Go duration.' },
  },
};

export const notificationPutParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    text: {
      type: 'string',
      description:
        'The message. `$BUILD_PIPELINE_NAME`, `$BUILD_JOB_NAME`, `$BUILD_NAME`, `$BUILD_ID`, `$BUILD_TEAM_NAME`, `$BUILD_URL`, `$ATC_EXTERNAL_URL` and `$BUILD_STATUS` (also as `${NAME}`) are replaced; other `$` text is left as it is. Default: `$BUILD_PIPELINE_NAME/$BUILD_JOB_NAME #$BUILD_NAME $BUILD_STATUS: $BUILD_URL`.',
    },
    text_file: {
      type: 'string',
      description: 'A file of the build\'s artifacts whose contents are the message (release notes a task wrote, say), with the same replacements; `text` is put before it when both are given.',
    },
    status: {
      type: 'string',
      description:
        'The status to report. By default the status of the step the put is a hook of (`succeeded` in `on_success`, `failed` in `on_failure`, `errored` in `on_error`, `aborted` in `on_abort`, either in `ensure`), else `started`.',
    },
  },
};

export const notificationGetParamsSchema: JsonSchema = {
  type: 'object',
  description: 'A get writes `notification.json`: when the message was sent, its status and the answer\'s HTTP status.',
  additionalProperties: false,
  properties: {},
};
