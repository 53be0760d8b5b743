/**
 * Delivery ids seen in the last `windowMs`, so a signed webhook delivery replayed by someone who
 * captured it (or redelivered by the sender) checks once. At most `capacity` ids are kept; past
 * that the oldest is forgotten first, so a flood of distinct ids costs bounded memory.
 */
export class DeliveryLog {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `id`; true if it was already seen within the window. */
  repeated(id: string): boolean {
    const now = this.now();
    this.forgetExpired(now);
    if (this.seenAt.has(id)) return true;
    if (this.seenAt.size >= this.capacity) this.seenAt.delete(this.seenAt.keys().next().value!);
    this.seenAt.set(id, now);
    return false;
  }

  /** Ids are kept in insertion order, which is time order: expired ones are at the front. */
  private forgetExpired(now: number): void {
    for (const [id, at] of this.seenAt) {
      if (now - at < this.windowMs) return;
      this.seenAt.delete(id);
    }
  }
}
