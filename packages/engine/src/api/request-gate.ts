/**
 * Lets a bounded number of requests be handled per turn of the event loop, the rest in later
 * turns. libuv accepts one new connection per turn (libuv#3696), so a turn that handles every
 * ready request at once (200 busy clients: about 100 ms) lets new connections wait in the
 * kernel's queue for one turn each: under load a client that connects anew waited seconds for
 * its first answer, however fast the answers of connected clients were. Short turns keep the
 * listening socket polled often; the requests of a turn are handled in the order they came.
 *
 * While connections arrive, turns are shorter still: a turn that accepted one may have left
 * more in the kernel's queue, and each waits for a turn of its own. When 200 clients connected
 * at once to a server already busy with the first of them, 16 requests a turn (a few ms each
 * while the code is still cold) took 1-3 s to accept the last ones; `perTurnWhileAccepting`
 * requests a turn take a fraction of that. A turn that accepted nothing means the queue is
 * empty, and the next one handles `perTurn` again.
 */
export class RequestGate {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;
  private accepted = false;

  constructor(
    private readonly perTurn = 16,
    private readonly perTurnWhileAccepting = 2,
  ) {}

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

  /** The server's `connection` event: the listening socket may hold more. */
  connectionAccepted(): void {
    this.accepted = true;
  }

  private release(): void {
    this.scheduled = false;
    const count = this.accepted ? this.perTurnWhileAccepting : this.perTurn;
    this.accepted = false;
    for (const resolve of this.waiting.splice(0, count)) resolve();
    if (this.waiting.length > 0) {
      this.scheduled = true;
      // Queued now, it runs in the next turn, after libuv has polled (and accepted) again.
      setImmediate(() => this.release());
    }
  }
}
