interface Waiter {
  grant(): void;
}

/**
 * A counting semaphore for running tasks. Waiters are served first come, first served; one whose
 * signal aborts leaves the queue at once and rejects with the signal's reason.
 */
export class TaskSlots {
  private free: number;
  private readonly waiters: Waiter[] = [];

  constructor(capacity: number) {
    this.free = capacity;
  }

  /** Resolves when a slot is held; the holder must call `release` exactly once. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.free++;
  }
}
