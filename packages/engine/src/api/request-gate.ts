/**
 * Lets a bounded number of requests be handled per turn of the event loop, the rest in later
 * turns. libuv accepts one new connection per turn (libuv#3696), so a turn that handles every
 * ready request at once (200 busy clients: about 100 ms) lets new connections wait in the
 * kernel's queue for one turn each: under load a client that connects anew waited seconds for
 * its first answer, however fast the answers of connected clients were. Short turns keep the
 * listening socket polled often; the requests of a turn are handled in the order they came.
 */
export class RequestGate {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly perTurn = 16) {}

  /** Resolves when the request may be handled: in this turn if few are waiting, else later. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.release());
      }
    });
  }

  private release(): void {
    this.scheduled = false;
    for (const resolve of this.waiting.splice(0, this.perTurn)) resolve();
    if (this.waiting.length > 0) {
      this.scheduled = true;
      // Queued now, it runs in the next turn, after libuv has polled (and accepted) again.
      setImmediate(() => this.release());
    }
  }
}
