import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGoDuration } from '../go-duration.js';
import { ResourceError, type MetadataField, type ResourceType, type Versioned } from '../interface.js';
import { dueVersions, Schedule, type ScheduledVersion } from './schedule.js';
import { delayGetParamsSchema, delayPutParamsSchema, delaySourceSchema } from './source-schema.js';

export interface DelaySource {
  name: string;
}

export interface DelayPutParams {
  after: string;
}

/** A scheduled version: when it became due, and which put scheduled it. */
export type DelayVersion = { due: string; id: string };

/**
 * Versions a set time after a put, for jobs that must run later (a cleanup an hour after a
 * deploy). The put only schedules the version, in the history's cache directory so it
 * survives restarts; the checker checks at its due time, as it does for cron slots.
 */
export const delayResourceType: ResourceType<DelaySource, DelayVersion, Record<string, never>, DelayPutParams> = {
  name: 'delay',
  description: 'A version that appears a set time after a put (`params: {after: 1h}`), durable across restarts, so a job with `get: ... trigger: true` runs then.',
  sourceSchema: delaySourceSchema,
  getParamsSchema: delayGetParamsSchema,
  putParamsSchema: delayPutParamsSchema,
  putSchedulesVersion: true,

  async check(ctx, _source, from) {
    const schedule = new Schedule(ctx.cacheDir);
    const found = dueVersions(await schedule.all(), ctx.now(), from);
    await schedule.prune(ctx.now());
    const pending = schedule.nextDueAfter(ctx.now());
    if (pending) ctx.log(`next scheduled version due at ${pending.toISOString()}`);
    return found.map(versioned);
  },

  nextVersionAt(_source, now, cacheDir) {
    return new Schedule(cacheDir).nextDueAfter(now);
  },

  async get(ctx, _source, version, _params, dir) {
    const entry = (await new Schedule(ctx.cacheDir).all()).find((candidate) => candidate.id === version.id && candidate.due === version.due);
    await writeFile(join(dir, 'due'), version.due);
    await writeFile(join(dir, 'scheduled.json'), `${JSON.stringify(entry ?? version, null, 2)}\n`);
    ctx.log(`due at ${version.due}${entry?.build ? `, scheduled by ${entry.build.pipeline}/${entry.build.job} #${entry.build.build}` : ''}`);
    return entry ? versioned(entry) : { version };
  },

  async put(ctx, _source, params) {
    const ms = parseGoDuration(params.after);
    if (ms === undefined || ms < 0) {
      throw new ResourceError('delay-after-invalid', `after: ${JSON.stringify(params.after)} is not a duration`, 'write a number with a unit, as in Go: `1h`, `30m`, `90s`');
    }
    const now = ctx.now();
    const entry: ScheduledVersion = {
      due: new Date(now.getTime() + ms).toISOString(),
      id: `${ctx.build ? `${ctx.build.jobName}-${ctx.build.buildName}-` : ''}${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
      after: params.after,
      scheduledAt: now.toISOString(),
      ...(ctx.build && { build: { pipeline: ctx.build.pipelineName, job: ctx.build.jobName, build: ctx.build.buildName, url: ctx.build.url } }),
    };
    await new Schedule(ctx.cacheDir).add(entry);
    ctx.log(`scheduled a version due at ${entry.due} (in ${params.after})`);
    return versioned(entry);
  },
};

function versioned(entry: ScheduledVersion): Versioned<DelayVersion> {
  const metadata: MetadataField[] = [
    { name: 'after', value: entry.after },
    { name: 'scheduled_at', value: entry.scheduledAt },
  ];
  if (entry.build) metadata.push({ name: 'scheduled_by', value: `${entry.build.pipeline}/${entry.build.job} #${entry.build.build}` });
  return { version: { due: entry.due, id: entry.id }, metadata };
}
