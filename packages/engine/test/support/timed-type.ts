import type { ResourceType, Versioned } from '@weir/resources';

type TimedSource = { every_ms: number };
type TimedVersion = { at: string };

/**
 * A resource type whose versions appear at known times — every `every_ms` milliseconds since
 * the epoch — and which says when the next one is due, as cron does. Each check's clock
 * reading is recorded; checks fail while `fail` is set.
 */
export class TimedType {
  readonly checks: number[] = [];
  fail: string | null = null;

  readonly type: ResourceType<TimedSource, TimedVersion> = {
    name: 'timed',
    description: 'A test type whose versions appear at fixed times.',
    sourceSchema: {
      type: 'object',
      required: ['every_ms'],
      properties: { every_ms: { type: 'integer', minimum: 1 } },
      additionalProperties: false,
    },
    check: async (ctx, source, from) => {
      const now = ctx.now().getTime();
      this.checks.push(now);
      if (this.fail !== null) throw new Error(this.fail);
      const latest: Versioned<TimedVersion> = { version: { at: String(Math.floor(now / source.every_ms) * source.every_ms) } };
      if (!from) return [latest];
      return from.at === latest.version.at ? [{ version: from }] : [{ version: from }, latest];
    },
    nextVersionAt: (source, now) => new Date((Math.floor(now.getTime() / source.every_ms) + 1) * source.every_ms),
    get: async () => {
      throw new Error('not used');
    },
    put: async () => {
      throw new Error('not used');
    },
  };
}
