/**
 * Sampled validation at known points. Confirming a value (RE2 runs for names and streets,
 * libphonenumber for phones, the value scanner, free text) is what detection spends its time on
 * in PII-dense traffic, and at a point already known to carry personal data it rarely changes
 * anything: a point's riskiest detection only ever goes up. So, past a warm-up of fully checked
 * values, a known point has one value in `every` (at random intervals, so periodic traffic cannot
 * hide between samples) checked in full, to watch for drift; the others are taken as the point's
 * known detection.
 *
 * The interval backs off at a point whose samples keep teaching nothing (no value found, or only
 * categories already seen there): each such sample doubles it, up to `maxEvery`; a sample that
 * finds a new category resets it to `every`. A stable point (a phone field of phone numbers) costs
 * a check in a few hundred values; a point whose values drift is watched at the base rate.
 *
 * Fail-closed by construction: only a point with a detection is sampled, and a value not checked
 * is taken as that detection, never as clean. A point with nothing found yet, and a transient
 * node (past a trie's bound), has every value checked.
 */
export interface SamplingOptions {
  /** Values checked in full at a point before sampling starts (default 64). */
  warmup?: number;
  /** Mean interval between checked values at a known point (default 16; 1 checks every value). */
  every?: number;
  /** Largest mean interval the back-off reaches (default 16 × every; `every` turns the back-off off). */
  maxEvery?: number;
  /** Seed of the interval generator (default: fixed, so runs are reproducible). */
  seed?: number;
}

export class ValueSampling {
  readonly warmup: number;
  readonly every: number;
  readonly maxEvery: number;
  private state: number;

  constructor(options: SamplingOptions = {}) {
    this.warmup = options.warmup ?? 64;
    this.every = options.every ?? 16;
    if (!Number.isInteger(this.warmup) || this.warmup < 0) throw new RangeError(`sampling warmup must be a non-negative integer, got ${this.warmup}`);
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`sampling interval must be a positive integer, got ${this.every}`);
    // `every: 1` means every value is checked: no back-off unless asked for.
    this.maxEvery = options.maxEvery ?? (this.every === 1 ? 1 : Math.max(this.every, Math.min(this.every * 16, 2 ** 30)));
    if (!Number.isInteger(this.maxEvery) || this.maxEvery < this.every) {
      throw new RangeError(`sampling maxEvery must be an integer of at least every (${this.every}), got ${this.maxEvery}`);
    }
    this.state = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
  }

  /**
   * How many values to take as known before the next full check at back-off `level`: uniform in
   * [0, 2·n − 2], mean n − 1, for the interval n = min(every · 2^level, maxEvery).
   */
  skips(level = 0): number {
    const every = level === 0 ? this.every : Math.min(this.every * 2 ** level, this.maxEvery);
    if (every === 1) return 0;
    // xorshift32: a few integer ops, no allocation.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state % (2 * every - 1);
  }
}
