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
  /** Per source: messageId → end of its window. One map per source, so a lookup builds no key string. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly inFlight = new Map<string, Map<string, Promise<void>>>();
  private entries = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 'seen' (accepted before), a promise (being produced now), or 'new'. */
  check(source: string, messageId: string): 'seen' | 'new' | Promise<void> {
    const seen = this.seen.get(source);
    if (seen !== undefined) {
      const until = seen.get(messageId);
      if (until !== undefined) {
        if (until > this.now()) return 'seen';
        seen.delete(messageId);
        this.entries--;
      }
    }
    return this.inFlight.get(source)?.get(messageId) ?? 'new';
  }

  /** Marks ids as being produced by `produced`; they become seen when it resolves. */
  track(source: string, messageIds: readonly string[], produced: Promise<void>): void {
    if (this.maxEntries === 0) return;
    let inFlight = this.inFlight.get(source);
    if (inFlight === undefined) this.inFlight.set(source, (inFlight = new Map()));
    for (const id of messageIds) inFlight.set(id, produced);
    const settled = inFlight;
    produced.then(
      () => {
        let seen = this.seen.get(source);
        if (seen === undefined) this.seen.set(source, (seen = new Map()));
        const until = this.now() + this.windowMs;
        for (const id of messageIds) {
          settled.delete(id);
          // Deleted first so that a re-accepted id moves to the back of the eviction order.
          if (seen.delete(id)) this.entries--;
          seen.set(id, until);
        }
        this.entries += messageIds.length;
        this.evict();
      },
      () => {
        for (const id of messageIds) if (settled.get(id) === produced) settled.delete(id);
      },
    );
  }

  get size(): number {
    return this.entries;
  }

  /** Past maxEntries the oldest go first, from the source that holds the most ids. */
  private evict(): void {
    let excess = this.entries - this.maxEntries;
    while (excess > 0) {
      let largest: Map<string, number> | undefined;
      for (const seen of this.seen.values()) if (largest === undefined || seen.size > largest.size) largest = seen;
      if (largest === undefined || largest.size === 0) return;
      for (const id of largest.keys()) {
        largest.delete(id);
        this.entries--;
        if (--excess === 0) break;
      }
    }
  }
}
