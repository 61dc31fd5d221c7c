import { randomUUID } from 'node:crypto';
import type { Db } from '../storage/db.js';
import type { AlertOutbox, OutboxEntry } from './outbox.js';
import type { Alert } from './types.js';

/** Registered by the storage migrations list; plain SQL that runs on both PostgreSQL and PGlite. */
export const ALERT_OUTBOX_MIGRATION = {
  version: 100,
  name: 'alert_outbox',
  sql: `
CREATE TABLE IF NOT EXISTS alert_outbox (
  id              TEXT PRIMARY KEY,
  channel         TEXT NOT NULL,
  alerts          JSONB NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  next_attempt_at TIMESTAMPTZ NOT NULL,
  lease_until     TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS alert_outbox_next_attempt_idx ON alert_outbox (next_attempt_at);
`,
} as const;

interface Row {
  id: string;
  channel: string;
  alerts: unknown;
  attempts: number;
  last_error: string | null;
  created_at: unknown;
  next_attempt_at: unknown;
}

/**
 * Durable outbox on the Db seam: alerts parked here survive restarts and are retried by whichever
 * engine process sweeps first. Claims use a lease plus SKIP LOCKED so concurrent sweepers never
 * take the same row; alert content is only the already-masked Alert.
 */
export class SqlOutbox implements AlertOutbox {
  constructor(private readonly db: Db) {}

  async put(e: { channel: string; alerts: Alert[]; lastError: string | null; nextAttemptAt: Date }): Promise<void> {
    await this.db.query(`INSERT INTO alert_outbox (id, channel, alerts, last_error, next_attempt_at) VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz)`, [
      randomUUID(),
      e.channel,
      JSON.stringify(e.alerts),
      e.lastError,
      e.nextAttemptAt.toISOString(),
    ]);
  }

  async claimDue({ now, limit, leaseMs }: { now: Date; limit: number; leaseMs: number }): Promise<OutboxEntry[]> {
    const rows = await this.db.query<Row>(
      `UPDATE alert_outbox SET lease_until = $2::timestamptz
        WHERE id IN (
          SELECT id FROM alert_outbox
           WHERE next_attempt_at <= $1::timestamptz AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
           ORDER BY next_attempt_at, id
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
        RETURNING id, channel, alerts, attempts, last_error, created_at, next_attempt_at`,
      [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), limit],
    );
    return rows
      .map((r) => ({
        id: r.id,
        channel: r.channel,
        // pg and PGlite both parse JSONB, but a driver configured otherwise hands back text.
        alerts: (typeof r.alerts === 'string' ? JSON.parse(r.alerts) : r.alerts) as Alert[],
        attempts: Number(r.attempts),
        lastError: r.last_error,
        createdAt: toDate(r.created_at),
        nextAttemptAt: toDate(r.next_attempt_at),
      }))
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id.localeCompare(b.id));
  }

  /**
   * Leases the named entries (all entries with `ids` null) that no sweeper holds now, whatever
   * their next attempt time: an operator's "retry now". Entries leased elsewhere are left alone.
   */
  async claimNow({ ids, now, leaseMs }: { ids: readonly string[] | null; now: Date; leaseMs: number }): Promise<OutboxEntry[]> {
    const rows = await this.db.query<Row>(
      `UPDATE alert_outbox SET lease_until = $2::timestamptz
        WHERE id IN (
          SELECT id FROM alert_outbox
           WHERE ($3::text[] IS NULL OR id = ANY($3::text[])) AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
           ORDER BY created_at, id
           FOR UPDATE SKIP LOCKED)
        RETURNING id, channel, alerts, attempts, last_error, created_at, next_attempt_at`,
      [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), ids === null ? null : [...ids]],
    );
    return rows.map(toEntry).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  async complete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM alert_outbox WHERE id = $1`, [id]);
  }

  async reschedule(id: string, o: { nextAttemptAt: Date; lastError?: string; countAttempt: boolean }): Promise<void> {
    await this.db.query(
      `UPDATE alert_outbox
          SET next_attempt_at = $2::timestamptz, lease_until = NULL,
              last_error = COALESCE($3, last_error),
              attempts = attempts + CASE WHEN $4::boolean THEN 1 ELSE 0 END
        WHERE id = $1`,
      [id, o.nextAttemptAt.toISOString(), o.lastError ?? null, o.countAttempt],
    );
  }

  async size(): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM alert_outbox`);
    return Number(rows[0]?.n ?? 0);
  }
}

function toEntry(r: Row): OutboxEntry {
  return {
    id: r.id,
    channel: r.channel,
    alerts: (typeof r.alerts === 'string' ? JSON.parse(r.alerts) : r.alerts) as Alert[],
    attempts: Number(r.attempts),
    lastError: r.last_error,
    createdAt: toDate(r.created_at),
    nextAttemptAt: toDate(r.next_attempt_at),
  };
}

function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}
