/**
 * messageIds already accepted, per source, for a window (Segment deduplicates on messageId too):
 * a client that retries after a lost answer, or sends an event twice, gets a 200 and nothing is
 * produced again. Ids count as seen only once the broker has acknowledged them; an id still being
 * produced makes its duplicates wait for that produce, and fail with it.
 *
 * Memory is bounded: the oldest ids go first past `maxEntries` (a Map keeps insertion order).
 * The window is per process: ingest processes behind a load balancer each see their own retries
 * (the stock clients retry on the same connection pool, so usually the same process).
 */
export class MessageIdWindow {
  private readonly seen = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly maxEntries: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 'seen' (accepted before), a promise (being produced now), or 'new'. */
  check(source: string, messageId: string): 'seen' | 'new' | Promise<void> {
    const id = `${source}\u0000${messageId}`;
    const until = this.seen.get(id);
    if (until !== undefined) {
      if (until > this.now()) return 'seen';
      this.seen.delete(id);
    }
    return this.inFlight.get(id) ?? 'new';
  }

  /** Marks ids as being produced by `produced`; they become seen when it resolves. */
  track(source: string, messageIds: readonly string[], produced: Promise<void>): void {
    if (this.maxEntries === 0) return;
    const ids = messageIds.map((messageId) => `${source}\u0000${messageId}`);
    for (const id of ids) this.inFlight.set(id, produced);
    produced.then(
      () => {
        const until = this.now() + this.windowMs;
        for (const id of ids) {
          this.inFlight.delete(id);
          this.seen.set(id, until);
        }
        this.evict();
      },
      () => {
        for (const id of ids) if (this.inFlight.get(id) === produced) this.inFlight.delete(id);
      },
    );
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(): void {
    let excess = this.seen.size - this.maxEntries;
    if (excess <= 0) return;
    for (const id of this.seen.keys()) {
      this.seen.delete(id);
      if (--excess === 0) break;
    }
  }
}
