import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { readArtifactText, unreadableReason } from '../artifact-paths.js';
import { parseGoDuration } from '../go-duration.js';
import { ResourceError, type ResourceType, type Versioned } from '../interface.js';
import { deliver } from './deliver.js';
import { DEFAULT_TEXT, messageVariables, notificationPayload, renderText, type SlackFields } from './message.js';
import { notificationGetParamsSchema, notificationPutParamsSchema, notificationSourceSchema } from './source-schema.js';

export interface NotificationSource extends SlackFields {
  url: string;
  format?: 'json' | 'slack';
  headers?: Record<string, string>;
  retries?: number;
  timeout?: string;
}

export interface NotificationPutParams {
  text?: string;
  text_file?: string;
  status?: string;
}

/** A message that was sent: when, and an id that tells two sent in the same second apart. */
export type NotificationVersion = { sent_at: string; id: string };

export interface NotificationTypeOptions {
  /** The wait before the first retry (doubling after); tests shorten it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Messages about builds, posted on `put`: to a chat webhook in Slack's format or to any
 * endpoint as JSON. It has no versions to check; a put's version records that a message went.
 */
export function createNotificationType(options: NotificationTypeOptions = {}): ResourceType<NotificationSource, NotificationVersion, Record<string, never>, NotificationPutParams> {
  return {
    name: 'notification',
    description: 'Posts a message with the build\'s name, status and URL to an HTTP endpoint (Slack-compatible or plain JSON) on put, with retries; the URL is kept out of logs.',
    sourceSchema: notificationSourceSchema,
    getParamsSchema: notificationGetParamsSchema,
    putParamsSchema: notificationPutParamsSchema,

    async check() {
      return [];
    },

    async get(_ctx, _source, version, _params, dir) {
      await writeFile(join(dir, 'notification.json'), `${JSON.stringify(version, null, 2)}\n`);
      return { version };
    },

    async put(ctx, source, params, workdir) {
      if (!ctx.build) throw new ResourceError('notification-outside-build', 'a notification is sent by a put step of a build', 'put to this resource from a job\'s plan, e.g. in on_failure');
      const url = endpoint(source.url);
      const timeoutMs = parseGoDuration(source.timeout ?? '30s');
      if (timeoutMs === undefined || timeoutMs <= 0) throw new ResourceError('notification-timeout-invalid', `timeout: ${JSON.stringify(source.timeout)} is not a positive duration`, 'write a Go duration such as `30s` or `2m`');
      const status = params.status ?? ctx.build.status ?? 'started';
      const fromFile =
        params.text_file === undefined
          ? undefined
          : await readArtifactText(workdir, params.text_file, {
              outside: () => new ResourceError('notification-path-outside', `text_file ${JSON.stringify(params.text_file)} leaves the build's artifacts`, 'name a file inside an artifact of this build, without .. and not through a symlink that leads out'),
              missing: (cause) => new ResourceError('notification-text-file-unreadable', `cannot read text_file ${params.text_file}: ${unreadableReason(cause)}`, 'check that an earlier step wrote it into an output with that name'),
            });
      const template = [params.text, fromFile].filter((part): part is string => part !== undefined).join('\n') || DEFAULT_TEXT;
      const text = renderText(template, messageVariables(ctx.build, status));
      const body = notificationPayload(source.format ?? 'json', text, status, ctx.build, source);
      ctx.log(`sending a ${source.format ?? 'json'} message to ${url.host} (status ${status}): ${ctx.redact(firstLine(text))}`);
      const delivered = await deliver(url, body, source.headers ?? {}, {
        retries: source.retries ?? 3,
        timeoutMs,
        signal: ctx.signal,
        baseDelayMs: options.baseDelayMs ?? 1000,
        maxDelayMs: options.maxDelayMs ?? 60_000,
        // An abort ends the wait with the build's own reason, as every other step reports it.
        sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch((error: unknown) => Promise.reject(signal.aborted ? signal.reason : error)),
        log: (line) => ctx.log(line),
      });
      ctx.log(`${url.host} answered ${delivered.status}${delivered.attempts > 1 ? ` on attempt ${delivered.attempts}` : ''}`);
      const version: NotificationVersion = { sent_at: ctx.now().toISOString(), id: randomBytes(4).toString('hex') };
      const result: Versioned<NotificationVersion> = {
        version,
        metadata: [
          { name: 'host', value: url.host },
          { name: 'status', value: status },
          { name: 'answer', value: String(delivered.status) },
        ],
      };
      return result;
    },
  };
}

export const notificationResourceType = createNotificationType();

/** The source's URL, checked without ever echoing it: it usually holds the webhook's token. */
function endpoint(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ResourceError('notification-url-invalid', 'source.url is not a valid URL', 'give the full http:// or https:// URL of the webhook');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ResourceError('notification-url-invalid', `source.url must be http:// or https://, not ${url.protocol}`, 'give the full http:// or https:// URL of the webhook');
  if (url.username !== '' || url.password !== '') {
    throw new ResourceError('notification-url-credentials', `source.url for ${url.host} holds a user name or password`, 'pass credentials in `headers` (e.g. `Authorization: Bearer ((token))`) instead of the URL');
  }
  return url;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
