import type { BuildEvent } from '../runner/events/build-event.js';
import { decodeEventPage, encodeEventPage } from './event-page-encoding.js';
import type { StoreContext } from './store-context.js';

/**
 * A build's event log, stored in pages (habit 11): events are appended in batches, one row
 * per build per batch, in one transaction per batch.
 */
export class BuildEventStore {
  constructor(private readonly ctx: StoreContext) {}

  /** Events in seq order; a build's events in one call must be consecutive. */
  append(events: readonly BuildEvent[]): void {
    if (events.length === 0) return;
    const byBuild = new Map<number, BuildEvent[]>();
    for (const event of events) {
      let list = byBuild.get(event.buildId);
      if (!list) byBuild.set(event.buildId, (list = []));
      list.push(event);
    }
    const insert = this.ctx.sql('INSERT INTO build_event_pages (build_id, first_seq, last_seq, events) VALUES (?, ?, ?, ?)');
    this.ctx.transaction(() => {
      for (const [buildId, list] of byBuild) insert.run(buildId, list[0]!.seq, list[list.length - 1]!.seq, encodeEventPage(list));
    });
  }

  /** Up to `limit` events after `afterSeq`, oldest first. */
  list(buildId: number, afterSeq = 0, limit = 1000): BuildEvent[] {
    const pages = this.ctx
      .sql<[number, number], { first_seq: number; events: string }>(
        'SELECT first_seq, events FROM build_event_pages WHERE build_id = ? AND last_seq > ? ORDER BY first_seq',
      )
      .iterate(buildId, afterSeq);
    const events: BuildEvent[] = [];
    for (const page of pages) {
      const stored = decodeEventPage(page.events);
      for (let i = Math.max(0, afterSeq + 1 - page.first_seq); i < stored.length && events.length < limit; i++) {
        events.push(Object.assign(stored[i]!, { buildId, seq: page.first_seq + i }) as BuildEvent);
      }
      if (events.length >= limit) {
        pages.return?.();
        break;
      }
    }
    return events;
  }

  /**
   * Deletes a build's log lines and keeps its other events (statuses, steps, versions, errors)
   * at their seqs; one line from weir, at the seq of the first line deleted, says how many went.
   * Reads one page at a time, so a build of a million lines is never in memory at once.
   * Returns the number of lines deleted.
   */
  deleteLogLines(buildId: number, notice: (deleted: number) => string): number {
    return this.ctx.transaction(() => {
      const pages = this.ctx
        .sql<[number], { first_seq: number; events: string }>('SELECT first_seq, events FROM build_event_pages WHERE build_id = ? ORDER BY first_seq')
        .iterate(buildId);
      const kept: Array<{ seq: number; event: ReturnType<typeof decodeEventPage>[number] }> = [];
      let first: (typeof kept)[number] | undefined;
      let deleted = 0;
      for (const page of pages) {
        decodeEventPage(page.events).forEach((event, i) => {
          if (event.type !== 'log') kept.push({ seq: page.first_seq + i, event });
          else if (deleted++ === 0) first = { seq: page.first_seq + i, event };
        });
      }
      if (first === undefined) return 0;
      const { at, origin } = first.event;
      kept.push({ seq: first.seq, event: { at, type: 'log', ...(origin !== undefined && { origin }), data: { stream: 'weir', line: notice(deleted) } } });
      kept.sort((a, b) => a.seq - b.seq);
      this.ctx.sql('DELETE FROM build_event_pages WHERE build_id = ?').run(buildId);
      // Pages hold consecutive seqs; the events left are few, so each gets a page of its own.
      const insert = this.ctx.sql('INSERT INTO build_event_pages (build_id, first_seq, last_seq, events) VALUES (?, ?, ?, ?)');
      for (const { seq, event } of kept) insert.run(buildId, seq, seq, encodeEventPage([event]));
      return deleted;
    });
  }

  lastSeq(buildId: number): number {
    return this.ctx.sql<[number], number>('SELECT COALESCE(MAX(last_seq), 0) FROM build_event_pages WHERE build_id = ?').pluck().get(buildId) ?? 0;
  }
}
