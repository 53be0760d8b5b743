import { DISK_FULL_HINT, isDiskFull } from '../../disk-full.js';
import type { Logger } from '../../logging.js';
import type { BuildEventStore } from '../../store/build-event-store.js';
import type { BuildEvent, BuildEventBody } from './build-event.js';

export interface BuildEventLogOptions {
  store: BuildEventStore;
  /** Whether a build has ended, for followers of builds no writer has open. */
  isFinished(buildId: number): boolean;
  logger: Logger;
  now?: () => number;
  /** Longest an event waits in memory before it is written. */
  flushIntervalMs?: number;
  /** Events held in memory before a write is forced, whatever the interval. */
  maxPending?: number;
}

/** A live follower's queue may grow this far before it falls back to reading from the store. */
const MAX_FOLLOWER_QUEUE = 10_000;
const PAGE_SIZE = 5000;

interface OpenBuild {
  lastSeq: number;
  followers: Set<Follower>;
}

/** Events of one build that could not be written, and the marker that says so in its log. */
interface LostEvents {
  /** Since the build started: a build that lost any ends errored. */
  total: number;
  /** Not yet reported by a written marker. */
  lines: number;
  others: number;
  /** The marker waiting to be written, its message kept up to date with the counts. */
  marker: BuildEvent | undefined;
}

interface Follower {
  deliver(event: BuildEvent): void;
  end(): void;
}

/**
 * Every build's events: numbered, batched into the store, and handed to live followers.
 * Memory stays bounded however much a task prints: at most `maxPending` events wait for a
 * write, and a follower that cannot keep up reads from the store instead of queueing.
 */
export class BuildEventLog {
  private readonly open = new Map<number, OpenBuild>();
  private readonly lost = new Map<number, LostEvents>();
  private pending: BuildEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: BuildEventLogOptions) {
    this.now = options.now ?? Date.now;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxPending = options.maxPending ?? 5000;
  }

  /** Numbers `body` and queues it; `body` itself becomes the event (no copy per log line). */
  append(buildId: number, body: BuildEventBody): BuildEvent {
    const build = this.openBuild(buildId);
    const event = Object.assign(body, { buildId, seq: ++build.lastSeq, at: this.now() }) as BuildEvent;
    this.pending.push(event);
    if (build.followers.size > 0) for (const follower of build.followers) follower.deliver(event);
    if (this.pending.length >= this.maxPending) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
    return event;
  }

  /** Writes what is pending; call before reading the store directly. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.options.store.append(batch);
      this.markersWritten(batch);
    } catch (error) {
      this.appendEachBuild(batch, error);
    }
  }

  /** How many of the build's events could not be written (the disk was full) since it started. */
  lostEvents(buildId: number): number {
    return this.lost.get(buildId)?.total ?? 0;
  }

  /**
   * After a crash, events that were numbered and shown to followers but never written are
   * gone. New events skip past every number they could have had, so a client resuming from
   * the last number it saw misses nothing that follows.
   */
  resumeAfterCrash(buildId: number): void {
    this.openBuild(buildId).lastSeq += this.maxPending;
  }

  /**
   * A batch that could not be written is retried build by build, so one build deleted while
   * it ran (its pipeline destroyed) loses only its own events.
   */
  private appendEachBuild(batch: BuildEvent[], cause: unknown): void {
    const byBuild = new Map<number, BuildEvent[]>();
    for (const event of batch) {
      const list = byBuild.get(event.buildId);
      if (list) list.push(event);
      else byBuild.set(event.buildId, [event]);
    }
    for (const [buildId, events] of byBuild) {
      try {
        this.options.store.append(events);
        this.markersWritten(events);
      } catch (error) {
        if (isDiskFull(error)) this.recordLost(buildId, events);
        else this.options.logger.warn({ err: error, cause, buildId, events: events.length }, 'build events could not be written and are dropped');
      }
    }
  }

  /**
   * Events the disk had no room for are gone, but not silently: they are counted, and a marker
   * event saying how many were lost is queued right after them, to be written with the next
   * batch that fits (its count grows if more are lost before then).
   */
  private recordLost(buildId: number, events: readonly BuildEvent[]): void {
    let lost = this.lost.get(buildId);
    if (!lost) {
      lost = { total: 0, lines: 0, others: 0, marker: undefined };
      this.lost.set(buildId, lost);
      this.options.logger.warn({ buildId }, 'the disk is full: build events cannot be written; the build will end errored');
    }
    for (const event of events) {
      if (event === lost.marker) {
        lost.marker = undefined;
        continue;
      }
      lost.total++;
      if (event.type === 'log') lost.lines++;
      else lost.others++;
    }
    const message = `${lost.lines} log line${lost.lines === 1 ? '' : 's'}${lost.others > 0 ? ` and ${lost.others} other event${lost.others === 1 ? '' : 's'}` : ''} of this build could not be written: the disk was full`;
    if (lost.marker) {
      (lost.marker.data as { message: string }).message = message;
      return;
    }
    const build = this.open.get(buildId);
    // A build already closed gets no more events: its end says what was lost.
    if (!build) return;
    const marker = { type: 'error', data: { code: 'events-lost', message, hint: DISK_FULL_HINT }, buildId, seq: ++build.lastSeq, at: this.now() } as BuildEvent;
    lost.marker = marker;
    this.pending.push(marker);
    for (const follower of build.followers) follower.deliver(marker);
    this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  /** A marker that reached the store has reported its losses; later ones get a new marker. */
  private markersWritten(events: readonly BuildEvent[]): void {
    if (this.lost.size === 0) return;
    for (const lost of this.lost.values()) {
      if (lost.marker && events.includes(lost.marker)) {
        lost.marker = undefined;
        lost.lines = 0;
        lost.others = 0;
      }
    }
  }

  /** The build has ended: everything is written and followers are told there is no more. */
  close(buildId: number): void {
    this.flush();
    this.lost.delete(buildId);
    const build = this.open.get(buildId);
    if (!build) return;
    this.open.delete(buildId);
    for (const follower of build.followers) follower.end();
  }

  list(buildId: number, afterSeq = 0, limit = PAGE_SIZE): BuildEvent[] {
    this.flush();
    return this.options.store.list(buildId, afterSeq, limit);
  }

  /**
   * The build's events after `afterSeq`, then live ones as they happen, ending when the build
   * ends (or when `signal` aborts). Reads from the store while behind, so a slow reader costs
   * the engine no memory.
   */
  async *follow(buildId: number, afterSeq = 0, signal?: AbortSignal): AsyncGenerator<BuildEvent> {
    for await (const batch of this.followBatches(buildId, afterSeq, signal)) yield* batch;
  }

  /**
   * `follow` in batches: everything stored or arrived since the last batch, in order. A
   * reader that writes a batch at once (the API's event stream) pays per batch, not per line.
   */
  async *followBatches(buildId: number, afterSeq = 0, signal?: AbortSignal): AsyncGenerator<BuildEvent[]> {
    let last = afterSeq;
    while (!signal?.aborted) {
      const page = this.list(buildId, last, PAGE_SIZE);
      if (page.length > 0) {
        yield page;
        last = page[page.length - 1]!.seq;
      }
      if (page.length === PAGE_SIZE) continue;
      // Caught up with the store, and nothing is pending: go live in this same tick, so no
      // event can fall between the read and the subscription.
      if (signal?.aborted || (!this.open.has(buildId) && this.options.isFinished(buildId))) return;
      const live = this.subscribe(buildId, last, signal);
      for await (const batch of live.batches) {
        yield batch;
        last = batch[batch.length - 1]!.seq;
      }
      if (!live.overflowed) return;
    }
  }

  private subscribe(buildId: number, after: number, signal: AbortSignal | undefined) {
    let queue: BuildEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const state = { overflowed: false };
    const build = this.openBuild(buildId);
    const follower: Follower = {
      deliver: (event) => {
        if (event.seq <= after || ended) return;
        if (queue.length >= MAX_FOLLOWER_QUEUE) {
          state.overflowed = true;
          stop();
          return;
        }
        queue.push(event);
        wake?.();
      },
      end: () => stop(),
    };
    const stop = () => {
      ended = true;
      build.followers.delete(follower);
      signal?.removeEventListener('abort', stop);
      wake?.();
    };
    build.followers.add(follower);
    signal?.addEventListener('abort', stop);
    const batches = (async function* () {
      for (;;) {
        // After an overflow the queue is incomplete: the reader goes back to the store.
        if (queue.length > 0 && !state.overflowed) {
          const batch = queue;
          queue = [];
          yield batch;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    })();
    return {
      batches,
      get overflowed() {
        return state.overflowed;
      },
    };
  }

  private openBuild(buildId: number): OpenBuild {
    let build = this.open.get(buildId);
    if (!build) {
      this.flush();
      build = { lastSeq: this.options.store.lastSeq(buildId), followers: new Set() };
      this.open.set(buildId, build);
    }
    return build;
  }
}
