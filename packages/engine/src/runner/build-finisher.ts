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
 * Ends builds in batches: builds that end in the same turn of the event loop share one commit,
 * so a burst of short builds costs one fsync, not one each. The final status event follows
 * the commit, so whoever sees it can read the ended build from the store.
 */
export class BuildFinisher {
  private queue: QueuedEnd[] = [];

  constructor(
    private readonly store: Store,
    private readonly events: BuildEventLog,
  ) {}

  finish(end: BuildEnd): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ ...end, resolve, reject });
    });
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
      this.events.append(end.buildId, { type: 'status', data: { status: end.status, ...(end.reason !== undefined && { reason: end.reason }) } });
      this.events.close(end.buildId);
      end.resolve();
    }
  }
}
