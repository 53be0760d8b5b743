import { describe, expect, it } from 'vitest';
import { compileCronSource, type CronSource } from '../../src/cron/cron-schedule.js';
import { selectSlots } from '../../src/cron/slot-selection.js';

const utc = (iso: string) => Date.parse(iso);
const nightly: CronSource = { expression: '0 3 * * *' };

describe('which slots a check emits', () => {
  it.each([
    ['a new resource in the afternoon: nothing until the next slot', nightly, undefined, '2024-05-01T14:00:00Z', [], false],
    ['a new resource right after a slot: that slot', nightly, undefined, '2024-05-01T03:01:00Z', ['2024-05-01T03:00:00Z'], false],
    ['a new resource with initial_version: the latest slot', { ...nightly, initial_version: true }, undefined, '2024-05-01T14:00:00Z', ['2024-05-01T03:00:00Z'], false],
    ['no slot since the previous one', nightly, '2024-05-01T03:00:00Z', '2024-05-01T14:00:00Z', [], false],
    ['the next slot, on time', nightly, '2024-05-01T03:00:00Z', '2024-05-02T03:00:00.050Z', ['2024-05-02T03:00:00Z'], false],
    ['down for days, catch_up latest (default): only the latest', nightly, '2024-05-01T03:00:00Z', '2024-05-05T09:00:00Z', ['2024-05-05T03:00:00Z'], true],
    ['down for days, catch_up all: every one', { ...nightly, catch_up: 'all' }, '2024-05-01T03:00:00Z', '2024-05-05T09:00:00Z', ['2024-05-02T03:00:00Z', '2024-05-03T03:00:00Z', '2024-05-04T03:00:00Z', '2024-05-05T03:00:00Z'], false],
    ['down for days, catch_up none: none of them', { ...nightly, catch_up: 'none' }, '2024-05-01T03:00:00Z', '2024-05-05T09:00:00Z', [], true],
    ['back just after a slot, catch_up none: that slot only', { ...nightly, catch_up: 'none' }, '2024-05-01T03:00:00Z', '2024-05-05T03:01:30Z', ['2024-05-05T03:00:00Z'], true],
    ['a slot found late, catch_up none: missed', { ...nightly, catch_up: 'none' }, '2024-05-01T03:00:00Z', '2024-05-02T03:05:00Z', [], true],
    ['a previous version newer than now: nothing', nightly, '2024-06-01T03:00:00Z', '2024-05-05T09:00:00Z', [], false],
  ] as Array<[string, CronSource, string | undefined, string, string[], boolean]>)('%s', (_name, source, previous, now, slots, leftOut) => {
    const selection = selectSlots(compileCronSource(source), utc(now), previous === undefined ? undefined : utc(previous));
    expect(selection).toEqual({ slots: slots.map(utc), leftOut });
  });

  it('catches up at most the latest 100 slots with catch_up all, and says so', () => {
    const selection = selectSlots(compileCronSource({ expression: '* * * * *', catch_up: 'all' }), utc('2024-05-02T00:00:30Z'), utc('2024-05-01T00:00:00Z'));
    expect(selection.slots).toHaveLength(100);
    expect(selection.slots[0]).toBe(utc('2024-05-01T22:21:00Z'));
    expect(selection.slots.at(-1)).toBe(utc('2024-05-02T00:00:00Z'));
    expect(selection.leftOut).toBe(true);
  });
});
