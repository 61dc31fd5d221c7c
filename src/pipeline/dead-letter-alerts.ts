import type { DataPointSignal } from '../inventory/types.js';

/**
 * Dead letters become `dead_letter` alerts, rate-limited: per (source, code) at most one alert per
 * interval, carrying how many events went to the dead-letter path since the previous one. Codes
 * and source names only: never event content.
 */
export class DeadLetterAlerts {
  private readonly pending = new Map<string, { source: string; code: string; count: number; first: number }>();
  private readonly lastSent = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (signals: DataPointSignal[]) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a batch's dead letters (code → n); alerts at once for keys not alerted on within the interval. */
  record(source: string, deadLettered: ReadonlyMap<string, number>): void {
    if (deadLettered.size === 0) return;
    const now = this.now();
    for (const [code, n] of deadLettered) {
      if (n <= 0) continue;
      const key = `${source}\0${code}`;
      const entry = this.pending.get(key);
      if (entry) entry.count += n;
      else this.pending.set(key, { source, code, count: n, first: now });
    }
    this.flush(false);
    this.arm();
  }

  /** Counts held back by the rate limit go out when their interval has passed, even if no more come. */
  private arm(): void {
    if (this.pending.size === 0 || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush(false);
      this.arm();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Sends what is due (all of it when `all`, at shutdown). */
  flush(all: boolean): void {
    const now = this.now();
    const signals: DataPointSignal[] = [];
    for (const [key, entry] of this.pending) {
      const last = this.lastSent.get(key);
      if (!all && last !== undefined && now - last < this.intervalMs) continue;
      this.pending.delete(key);
      this.lastSent.set(key, now);
      const at = new Date(now).toISOString();
      signals.push({
        kind: 'dead_letter',
        point: {
          source: entry.source,
          event: '(dead letter)',
          path: entry.code,
          category: null,
          dataCategory: null,
          classification: 'red',
          matchedOn: null,
          confidence: 1,
          matcher: 'dead-letter',
          count: entry.count,
          firstSeen: new Date(entry.first).toISOString(),
          lastSeen: at,
          example: null,
        },
        deadLetter: { code: entry.code, count: entry.count },
        detectedAt: at,
      });
    }
    if (signals.length > 0) this.emit(signals);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush(true);
  }
}
