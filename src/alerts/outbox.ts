import { randomUUID } from 'node:crypto';
import type { Alert } from './types.js';

/** Alerts a channel could not deliver after its retries: kept until a later attempt succeeds. */
export interface OutboxEntry {
  id: string;
  channel: string;
  alerts: Alert[];
  /** Delivery attempts made from the outbox (the in-line retries before parking are not counted). */
  attempts: number;
  /** Value-free reason of the last failure, e.g. `slack channel "sec": HTTP 500`. */
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
}

/**
 * The outbox seam. `claimDue` leases entries so two engine processes sweeping the same SQL outbox do
 * not both send one entry; a lease that is never completed or rescheduled (crash) simply expires.
 */
export interface AlertOutbox {
  put(entry: { channel: string; alerts: Alert[]; lastError: string | null; nextAttemptAt: Date }): Promise<void>;
  claimDue(opts: { now: Date; limit: number; leaseMs: number }): Promise<OutboxEntry[]>;
  /** Delivered: the entry is removed. */
  complete(id: string): Promise<void>;
  /** Not delivered (or not attempted): keep it for `nextAttemptAt`, releasing the lease. */
  reschedule(id: string, opts: { nextAttemptAt: Date; lastError?: string; countAttempt: boolean }): Promise<void>;
  size(): Promise<number>;
}

/** Process-local outbox: survives receiver outages, not restarts. Use the SQL outbox for that. */
export class MemoryOutbox implements AlertOutbox {
  private readonly entries = new Map<string, OutboxEntry & { leaseUntil: number }>();

  async put(e: { channel: string; alerts: Alert[]; lastError: string | null; nextAttemptAt: Date }): Promise<void> {
    const id = randomUUID();
    this.entries.set(id, {
      id,
      channel: e.channel,
      alerts: structuredClone(e.alerts),
      attempts: 0,
      lastError: e.lastError,
      createdAt: new Date(),
      nextAttemptAt: e.nextAttemptAt,
      leaseUntil: 0,
    });
  }

  async claimDue({ now, limit, leaseMs }: { now: Date; limit: number; leaseMs: number }): Promise<OutboxEntry[]> {
    const t = now.getTime();
    const due = [...this.entries.values()]
      .filter((e) => e.nextAttemptAt.getTime() <= t && e.leaseUntil <= t)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, limit);
    for (const e of due) e.leaseUntil = t + leaseMs;
    return due.map(({ leaseUntil: _l, ...rest }) => ({ ...rest, alerts: structuredClone(rest.alerts) }));
  }

  async complete(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async reschedule(id: string, o: { nextAttemptAt: Date; lastError?: string; countAttempt: boolean }): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    e.nextAttemptAt = o.nextAttemptAt;
    e.leaseUntil = 0;
    if (o.lastError !== undefined) e.lastError = o.lastError;
    if (o.countAttempt) e.attempts += 1;
  }

  async size(): Promise<number> {
    return this.entries.size;
  }
}
