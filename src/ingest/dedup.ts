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
  /**
   * Per source: messageId → end of its window (accepted) or its produce (in flight). One map per
   * source, so a lookup builds no key string; one entry per id, so an id costs one lookup to check
   * and one write each to track and to accept — these maps are large, every access a cache miss.
   */
  private readonly ids = new Map<string, Map<string, number | Promise<void>>>();
  /** Accepted ids across sources (in-flight ones are bounded by the produce queue instead). */
  private entries = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 'seen' (accepted before), a promise (being produced now), or 'new'. */
  check(source: string, messageId: string): 'seen' | 'new' | Promise<void> {
    const ids = this.ids.get(source);
    const entry = ids?.get(messageId);
    if (entry === undefined) return 'new';
    if (typeof entry !== 'number') return entry;
    if (entry > this.now()) return 'seen';
    ids!.delete(messageId);
    this.entries--;
    return 'new';
  }

  /** Marks ids as being produced by `produced`; they become seen when it resolves. */
  track(source: string, messageIds: readonly string[], produced: Promise<void>): void {
    if (this.maxEntries === 0) return;
    let ids = this.ids.get(source);
    if (ids === undefined) this.ids.set(source, (ids = new Map()));
    const map = ids;
    for (const id of messageIds) {
      // An expired id being re-accepted: deleted first, so that it moves to the back of the eviction order.
      if (typeof map.get(id) === 'number' && map.delete(id)) this.entries--;
      map.set(id, produced);
    }
    produced.then(
      () => {
        const until = this.now() + this.windowMs;
        for (const id of messageIds)
          if (map.get(id) === produced) {
            map.set(id, until);
            this.entries++;
          }
        this.evict();
      },
      () => {
        for (const id of messageIds) if (map.get(id) === produced) map.delete(id);
      },
    );
  }

  get size(): number {
    return this.entries;
  }

  /** Past maxEntries the oldest accepted go first, from the source that holds the most ids. */
  private evict(): void {
    let excess = this.entries - this.maxEntries;
    while (excess > 0) {
      let largest: Map<string, number | Promise<void>> | undefined;
      for (const ids of this.ids.values()) if (largest === undefined || ids.size > largest.size) largest = ids;
      if (largest === undefined || largest.size === 0) return;
      let evicted = 0;
      for (const [id, entry] of largest) {
        // In flight: its produce decides (and it is among the newest anyway).
        if (typeof entry !== 'number') continue;
        largest.delete(id);
        this.entries--;
        evicted++;
        if (--excess === 0) break;
      }
      if (evicted === 0) return;
    }
  }
}
