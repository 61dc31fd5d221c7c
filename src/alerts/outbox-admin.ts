import type { Db } from '../storage/db.js';
import type { Alert } from './types.js';

/**
 * What people do with the SQL outbox (`alert_outbox`, see outbox-sql.ts) besides the engines'
 * sweeps: list the parked deliveries and retry one now. A retry makes the entry due at once; the
 * next sweep of any engine process delivers it under its lease, so a retry never races a sweep
 * into sending one delivery twice. An entry leased right now (being sent) is not touched.
 */

export interface ParkedDelivery {
  id: string;
  channel: string;
  /** Attempts made from the outbox. */
  attempts: number;
  /** Value-free reason of the last failure. */
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string;
  /** A sweep holds it (sending now). */
  leased: boolean;
  /** How many alerts the delivery carries, and the first few data points they are about (no examples). */
  alerts: number;
  points: Array<Pick<Alert, 'kind' | 'source' | 'event' | 'path' | 'classification'>>;
}

interface Row {
  id: string;
  channel: string;
  alerts: unknown;
  attempts: number | string;
  last_error: string | null;
  created_at: Date | string;
  next_attempt_at: Date | string;
  leased: boolean;
}

const POINTS_SHOWN = 5;
const COLUMNS = `id, channel, alerts, attempts, last_error, created_at, next_attempt_at, coalesce(lease_until > $1::timestamptz, false) AS leased`;

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

function toParked(r: Row): ParkedDelivery {
  const alerts = (typeof r.alerts === 'string' ? JSON.parse(r.alerts) : r.alerts) as Alert[];
  return {
    id: r.id,
    channel: r.channel,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    createdAt: iso(r.created_at),
    nextAttemptAt: iso(r.next_attempt_at),
    leased: r.leased,
    alerts: alerts.length,
    points: alerts.slice(0, POINTS_SHOWN).map((a) => ({ kind: a.kind, source: a.source, event: a.event, path: a.path, classification: a.classification })),
  };
}

/** Parked deliveries, oldest first (the longest waiting), with how many there are in all. */
export async function listParked(
  db: Db,
  options: { now: Date; channel?: string | undefined; limit: number; offset: number },
): Promise<{ items: ParkedDelivery[]; total: number }> {
  const params: unknown[] = [options.now.toISOString()];
  let where = '';
  if (options.channel !== undefined) {
    params.push(options.channel);
    where = 'WHERE channel = $2';
  }
  const [rows, count] = await Promise.all([
    db.query<Row>(`SELECT ${COLUMNS} FROM alert_outbox ${where} ORDER BY created_at, id LIMIT ${options.limit | 0} OFFSET ${options.offset | 0}`, params),
    db.query<{ n: number | string }>(`SELECT count(*) AS n FROM alert_outbox ${where ? 'WHERE channel = $1' : ''}`, params.slice(1)),
  ]);
  return { items: rows.map(toParked), total: Number(count[0]?.n ?? 0) };
}

export type RetryResult = { retried: ParkedDelivery } | { missing: true } | { leased: ParkedDelivery };

/** Makes one parked delivery due now (the next sweep sends it); refuses one a sweep holds. */
export async function retryParked(db: Db, id: string, now: Date): Promise<RetryResult> {
  const [row] = await db.query<Row>(
    `UPDATE alert_outbox SET next_attempt_at = $1::timestamptz
      WHERE id = $2 AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
      RETURNING ${COLUMNS}`,
    [now.toISOString(), id],
  );
  if (row) return { retried: toParked(row) };
  const [held] = await db.query<Row>(`SELECT ${COLUMNS} FROM alert_outbox WHERE id = $2`, [now.toISOString(), id]);
  return held ? { leased: toParked(held) } : { missing: true };
}
