interface Holder {
  mode: 'read' | 'write';
}

interface Waiter extends Holder {
  grant(): void;
}

/**
 * Who may mount a claim at once: any number of read-only mounts, or one read-write mount, per
 * claim (a directory, or a namespace/claim on a cluster). A claim whose access mode lets many
 * nodes write (ReadWriteMany) is not locked at all: the executor does not ask. Waiters are
 * served in order, so a writer is not starved by a stream of readers; one whose signal aborts
 * leaves the queue and rejects with the signal's reason.
 */
export class ClaimLocks {
  private readonly holders = new Map<string, Holder[]>();
  private readonly waiting = new Map<string, Waiter[]>();

  /** Resolves with the release, to be called exactly once, when `claim` may be mounted in `mode`. */
  acquire(claim: string, mode: 'read' | 'write', signal: AbortSignal, onWait?: () => void): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const holder: Holder = { mode };
    const release = (): void => {
      const held = this.holders.get(claim) ?? [];
      held.splice(held.indexOf(holder), 1);
      if (held.length === 0) this.holders.delete(claim);
      this.grantWaiting(claim);
    };
    if ((this.waiting.get(claim) ?? []).length === 0 && this.compatible(claim, mode)) {
      this.hold(claim, holder);
      return Promise.resolve(release);
    }
    onWait?.();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const queue = this.waiting.get(claim) ?? [];
        queue.splice(queue.indexOf(waiter), 1);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        mode,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.hold(claim, holder);
          resolve(release);
        },
      };
      this.waiting.set(claim, [...(this.waiting.get(claim) ?? []), waiter]);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private compatible(claim: string, mode: 'read' | 'write'): boolean {
    const held = this.holders.get(claim) ?? [];
    return held.length === 0 || (mode === 'read' && held.every((holder) => holder.mode === 'read'));
  }

  private hold(claim: string, holder: Holder): void {
    this.holders.set(claim, [...(this.holders.get(claim) ?? []), holder]);
  }

  private grantWaiting(claim: string): void {
    const queue = this.waiting.get(claim) ?? [];
    while (queue.length > 0 && this.compatible(claim, queue[0]!.mode)) queue.shift()!.grant();
    if (queue.length === 0) this.waiting.delete(claim);
  }
}
