/** A token bucket per source: `eventsPerSecond` sustained, `burst` at once. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `n` tokens, or returns the seconds until they will be there (nothing taken). */
  take(n: number): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (n <= this.tokens) {
      this.tokens -= n;
      return 0;
    }
    // A request larger than the burst could never pass: let it through once the bucket is full.
    const needed = Math.min(n, this.burst) - this.tokens;
    if (needed <= 0) {
      this.tokens = 0;
      return 0;
    }
    return Math.max(1, Math.ceil(needed / this.perSecond));
  }
}
