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
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The one way a build ends: its end is committed, then its final status event is written and
 * its followers are told there is no more, so whoever sees the end can read it from the store.
 * Builds ending in the same turn of the event loop share one commit: a burst of short builds
 * costs one fsync, not one each.
 */
export class BuildFinisher {
  private queue: QueuedEnd[] = [];

  constructor(
    private readonly store: Store,
    private readonly events: BuildEventLog,
  ) {}

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
    this.events.append(buildId, { type: 'status', data: { status, ...(reason !== undefined && { reason }) } });
    this.events.close(buildId);
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const ended: QueuedEnd[] = [];
    try {
      this.store.transaction(() => {
        for (const end of batch) {
          try {
            this.store.builds.finish(end.buildId, end.status, end.outputs, end.reason);
            ended.push(end);
          } catch (error) {
            // Checked before anything is written, so the other builds of the batch still end.
            end.reject(error);
          }
        }
      });
    } catch (error) {
      for (const end of ended) end.reject(error);
      return;
    }
    for (const end of ended) {
      this.announce(end.buildId, end.status, end.reason);
      end.resolve();
    }
  }
}
