import type { CronSchedule } from './cron-schedule.js';

/** `catch_up: all` emits at most this many missed slots, the latest ones, so an outage never floods. */
export const CATCH_UP_LIMIT = 100;

/**
 * How long after a slot a check still counts as on time: a slot this recent is emitted even by
 * `catch_up: none` and by the first check of a new resource. It covers a check that comes a
 * check interval late (1m by default, plus jitter) as well as one made right at the slot.
 */
export const SLOT_GRACE_MS = 2 * 60_000;

export interface SlotSelection {
  /** Slots to emit as new versions, oldest first. */
  slots: number[];
  /** True when slots since the previous version were left out (catch_up chose so). */
  leftOut: boolean;
}

/**
 * The slots a check at `now` emits after the previous version's slot (Concourse's check: only
 * newer versions), by the source's `catch_up`. Without a previous version, only a slot that
 * just passed — or with `initial_version` the latest past slot — so setting a pipeline does
 * not start a nightly job in the afternoon.
 */
export function selectSlots(schedule: Pick<CronSchedule, 'catchUp' | 'initialVersion' | 'slotsUpTo'>, now: number, previous: number | undefined): SlotSelection {
  if (previous === undefined) {
    const [latest] = schedule.slotsUpTo(now, 1);
    const emit = latest !== undefined && (schedule.initialVersion || now - latest <= SLOT_GRACE_MS);
    return { slots: emit ? [latest] : [], leftOut: false };
  }
  switch (schedule.catchUp) {
    case 'latest': {
      const [latest, before] = schedule.slotsUpTo(now, 2).filter((slot) => slot > previous);
      return { slots: latest === undefined ? [] : [latest], leftOut: before !== undefined };
    }
    case 'none': {
      const [latest, before] = schedule.slotsUpTo(now, 2).filter((slot) => slot > previous);
      const onTime = latest !== undefined && now - latest <= SLOT_GRACE_MS;
      return { slots: onTime ? [latest] : [], leftOut: onTime ? before !== undefined : latest !== undefined };
    }
    case 'all': {
      const missed = schedule.slotsUpTo(now, CATCH_UP_LIMIT + 1).filter((slot) => slot > previous);
      return { slots: missed.slice(0, CATCH_UP_LIMIT).reverse(), leftOut: missed.length > CATCH_UP_LIMIT };
    }
    default: {
      const unknown: never = schedule.catchUp;
      throw new Error(`unknown catch_up ${String(unknown)}`);
    }
  }
}
