import { describe, expect, it } from 'vitest';
import { compileCronSource, type CronSource } from '../../src/cron/cron-schedule.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (instant: number | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());

function nextSlots(source: CronSource, after: string, count: number): Array<string | undefined> {
  const schedule = compileCronSource(source);
  const slots: Array<string | undefined> = [];
  let cursor: number | undefined = utc(after);
  for (let i = 0; i < count && cursor !== undefined; i++) {
    cursor = schedule.slotAfter(cursor);
    slots.push(iso(cursor));
  }
  return slots;
}

describe('cron schedule (croner, set up for cron(8) semantics)', () => {
  it('ORs day-of-month and day-of-week when both are restricted, as cron(8) does', () => {
    // The 1st of June 2024 is a Saturday: it runs because it is the 1st; the Mondays because they are Mondays.
    expect(nextSlots({ expression: '0 12 1 * MON' }, '2024-05-28T00:00:00Z', 4)).toEqual([
      '2024-06-01T12:00:00.000Z',
      '2024-06-03T12:00:00.000Z',
      '2024-06-10T12:00:00.000Z',
      '2024-06-17T12:00:00.000Z',
    ]);
  });

  it('uses one day field alone when the other is a wildcard', () => {
    expect(nextSlots({ expression: '0 12 * * MON' }, '2024-05-28T00:00:00Z', 2)).toEqual(['2024-06-03T12:00:00.000Z', '2024-06-10T12:00:00.000Z']);
    expect(nextSlots({ expression: '0 12 1 * *' }, '2024-05-28T00:00:00Z', 2)).toEqual(['2024-06-01T12:00:00.000Z', '2024-07-01T12:00:00.000Z']);
  });

  it('reads the expression in the location, UTC by default', () => {
    expect(nextSlots({ expression: '0 9 * * *' }, '2024-01-15T00:00:00Z', 1)).toEqual(['2024-01-15T09:00:00.000Z']);
    expect(nextSlots({ expression: '0 9 * * *', location: 'Europe/Berlin' }, '2024-01-15T00:00:00Z', 1)).toEqual(['2024-01-15T08:00:00.000Z']);
    expect(nextSlots({ expression: '0 9 * * *', location: 'Europe/Berlin' }, '2024-07-15T00:00:00Z', 1)).toEqual(['2024-07-15T07:00:00.000Z']);
    expect(nextSlots({ expression: '0 9 * * *', location: 'Asia/Kolkata' }, '2024-07-15T00:00:00Z', 1)).toEqual(['2024-07-15T03:30:00.000Z']);
  });

  it('takes 6 fields with seconds first, and nicknames', () => {
    expect(nextSlots({ expression: '*/10 * * * * *' }, '2024-01-15T00:00:03Z', 2)).toEqual(['2024-01-15T00:00:10.000Z', '2024-01-15T00:00:20.000Z']);
    expect(nextSlots({ expression: '@daily' }, '2024-01-15T10:00:00Z', 1)).toEqual(['2024-01-16T00:00:00.000Z']);
  });

  it('finds the slots at or before an instant, newest first, the instant included', () => {
    const schedule = compileCronSource({ expression: '0 * * * *' });
    expect(schedule.slotsUpTo(utc('2024-01-01T10:00:00Z'), 2).map(iso)).toEqual(['2024-01-01T10:00:00.000Z', '2024-01-01T09:00:00.000Z']);
    expect(schedule.slotAfter(utc('2024-01-01T10:00:00Z'))).toBe(utc('2024-01-01T11:00:00Z'));
  });

  it('has no slot for an expression that never matches', () => {
    const schedule = compileCronSource({ expression: '0 0 30 2 *' });
    expect(schedule.slotAfter(utc('2024-01-01T00:00:00Z'))).toBeUndefined();
    expect(schedule.slotsUpTo(utc('2024-01-01T00:00:00Z'), 1)).toEqual([]);
  });

  it.each([
    [{ expression: '* * *' }, 'cron-expression-invalid'],
    [{ expression: '61 * * * *' }, 'cron-expression-invalid'],
    [{ expression: '0 0 0 1 1 * 2030' }, 'cron-expression-invalid'],
    // croner would take this as a one-off date; a cron resource wants a schedule.
    [{ expression: '2030-01-01T00:00:00' }, 'cron-expression-invalid'],
    [{ expression: '0 3 * * *', location: 'Europe/Atlantis' }, 'cron-location-unknown'],
  ] as Array<[CronSource, string]>)('rejects %j with %s and a hint', (source, code) => {
    expect(() => compileCronSource(source)).toThrow(expect.objectContaining({ code, hint: expect.any(String) }));
  });
});
