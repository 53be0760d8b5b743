import { DISK_FULL_HINT, isDiskFull } from '../disk-full.js';
import type { Logger } from '../logging.js';
import type { BuildOutputRecord, FinishedBuildStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { BuildEventLog } from './events/build-event-log.js';

export interface BuildEnd {
  buildId: number;
  status: FinishedBuildStatus;
  outputs: BuildOutputRecord[];
  reason?: string;
}

interface QueuedEnd extends BuildEnd {
  /** Lost events already folded into status and reason by an earlier try, and the reason before. */
  reportedLost?: { count: number; reason: string | undefined; message: string };
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The one way a build ends: its end is committed, then its final status event is written and
 * its followers are told there is no more, so whoever sees the end can read it from the store.
 * Builds ending in the same turn of the event loop share one commit: a burst of short builds
 * costs one fsync, not one each.
 *
 * On a full disk the end cannot be committed: it is tried again every `retryMs` until there is
 * room (or the engine stops, and its next start ends the build), so no build stays `started`
 * for good. A build that lost events to a full disk ends `errored`, saying how many.
 */
export class BuildFinisher {
  private queue: QueuedEnd[] = [];
  private waitingForRoom: QueuedEnd[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly events: BuildEventLog,
    private readonly logger: Logger,
    private readonly retryMs = 1000,
  ) {}

  /** Gives up on ends still waiting for room: the engine stops, and its next start ends those builds. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.giveUp(this.waitingForRoom);
    this.waitingForRoom = [];
  }

  private giveUp(ends: readonly QueuedEnd[]): void {
    for (const end of ends) end.reject(new Error(`build ${end.buildId} could not be saved as ended before the engine stopped: the disk is full`));
  }

  /** Ends a build with the next batch. */
  finish(end: BuildEnd): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ ...end, resolve, reject });
    });
  }

  /** Ends a build now, in its own commit. */
  finishNow(end: BuildEnd): void {
    this.store.builds.finish(end.buildId, end.status, end.outputs, end.reason);
    this.announce(end.buildId, end.status, end.reason);
  }

  /** For a build whose end is already committed (e.g. aborted when its pipeline was archived). */
  announce(buildId: number, status: FinishedBuildStatus, reason?: string): void {
    this.announceAll([{ buildId, status, reason }]);
  }

  /**
   * For builds whose ends are already committed: their final events are written in one commit,
   * not one per build (closing a build writes what is pending), so a burst of short builds
   * ending together costs one event write.
   */
  announceAll(ends: ReadonlyArray<{ buildId: number; status: FinishedBuildStatus; reason?: string | undefined; lostMessage?: string | undefined }>): void {
    for (const { buildId, status, reason, lostMessage } of ends) {
      // Now that there was room for the end, the log says why the build errored.
      if (lostMessage !== undefined) this.events.append(buildId, { type: 'error', data: { code: 'disk-full', message: lostMessage, hint: DISK_FULL_HINT } });
      this.events.append(buildId, { type: 'status', data: { status, ...(reason !== undefined && { reason }) } });
    }
    this.events.flush();
    for (const { buildId } of ends) this.events.close(buildId);
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const ended: QueuedEnd[] = [];
    const refused = new Set<QueuedEnd>();
    for (const end of batch) this.reportLostEvents(end);
    try {
      this.store.transaction(() => {
        for (const end of batch) {
          try {
            this.store.builds.finish(end.buildId, end.status, end.outputs, end.reason);
            ended.push(end);
          } catch (error) {
            // A full disk fails the whole commit; it is tried again below.
            if (isDiskFull(error)) throw error;
            // Checked before anything is written, so the other builds of the batch still end.
            refused.add(end);
            end.reject(error);
          }
        }
      });
    } catch (error) {
      if (isDiskFull(error)) this.waitForRoom(batch.filter((end) => !refused.has(end)));
      else for (const end of ended) end.reject(error);
      return;
    }
    this.announceAll(ended.map((end) => ({ buildId: end.buildId, status: end.status, reason: end.reason, lostMessage: end.reportedLost?.message })));
    for (const end of ended) end.resolve();
  }

  /**
   * A build that lost events to a full disk has an incomplete log, whatever its steps did: it
   * ends `errored` with the count (an aborted build stays aborted), and its log says so too.
   */
  private reportLostEvents(end: QueuedEnd): void {
    const lost = this.events.lostEvents(end.buildId);
    if (lost === 0 || end.status === 'aborted' || end.reportedLost?.count === lost) return;
    const message = `${lost} event${lost === 1 ? '' : 's'} of this build (log lines, step changes) could not be written: the disk was full`;
    end.reportedLost ??= { count: lost, reason: end.reason, message };
    end.reportedLost.count = lost;
    end.reportedLost.message = message;
    end.status = 'errored';
    end.reason = end.reportedLost.reason === undefined ? message : `${end.reportedLost.reason}; ${message}`;
  }

  private waitForRoom(ends: QueuedEnd[]): void {
    if (this.stopped) {
      this.giveUp(ends);
      return;
    }
    if (this.waitingForRoom.length === 0) this.logger.warn({ builds: ends.map((end) => end.buildId) }, 'the disk is full: builds that ended cannot be saved as ended; trying again until there is room');
    this.waitingForRoom.push(...ends);
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      const retry = this.waitingForRoom;
      this.waitingForRoom = [];
      if (retry.length === 0) return;
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push(...retry);
    }, this.retryMs);
  }
}
