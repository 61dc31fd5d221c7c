import { z } from 'zod';
import { safeIssueMessage } from '../core/zod-issues.js';
import type { DataKeys } from './crypto/data-keys.js';
import type { Db } from './db.js';
import { countAffected } from './sql.js';
import { verifyEvents, type VerifyResult } from './integrity.js';
import { ERASURE_WINDOW_MS, forgetErasureTimes } from './erase.js';
import { vacuumKeyTable } from './shred.js';
import { isDuration, parseDuration } from './duration.js';

/** Defaults for what is kept beside the events. */
export const DEFAULT_SIDE_RETENTION = { inventoryExamples: '90d', alertOutbox: '30d' } as const;

/** Where the retention clock starts (storage.retention.from). */
export const RETENTION_FROM = ['received', 'timestamp'] as const;
export type RetentionFrom = (typeof RETENTION_FROM)[number];

const duration = z.string().refine(isDuration, { message: 'expected a duration such as 90d, 12h, 7y or forever' });

/** `{ default: '365d', events: { 'Order Completed': '7y', page: '90d' } }`; keys of `events` are event names (track name, else call type). */
export const retentionConfigSchema = z.strictObject({
  default: duration,
  events: z.record(z.string(), duration).default({}),
  /** Masked inventory examples: cleared this long after they were taken (the point itself stays). */
  inventoryExamples: duration.default(DEFAULT_SIDE_RETENTION.inventoryExamples),
  /** Alert deliveries still parked in the outbox this long after they were queued are dropped (and counted). */
  alertOutbox: duration.default(DEFAULT_SIDE_RETENTION.alertOutbox),
  /**
   * Where an event's retention clock starts: `received` (default: client clocks are wrong or
   * hostile) or `timestamp`, the event's own time; a timestamp later than receipt counts from
   * receipt, so a future-dated event cannot outlive its retention. Applied by the sweep, so a
   * change covers events already stored.
   */
  from: z.enum(RETENTION_FROM, { message: `expected one of ${RETENTION_FROM.map((v) => `"${v}"`).join(', ')}` }).default('received'),
});

export type RetentionConfig = z.input<typeof retentionConfigSchema>;

export const DEFAULT_RETENTION: RetentionConfig = { default: '365d' };

/**
 * Decides each stored event's expiry, counted from receipt (`expires_at`). With
 * `storage.retention.from: timestamp` the sweep shifts that expiry back by how much earlier the
 * event's own timestamp was than its receipt (see expiredCondition); never forward.
 */
export class RetentionPolicy {
  private readonly defaultMs: number | null;
  private readonly byEvent: Map<string, number | null>;

  constructor(config: RetentionConfig = DEFAULT_RETENTION) {
    const parsed = retentionConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`invalid retention config at "${issue.path.join('.') || '(root)'}": ${safeIssueMessage(issue)}`);
    }
    this.defaultMs = parseDuration(parsed.data.default);
    this.byEvent = new Map(Object.entries(parsed.data.events).map(([name, text]) => [name, parseDuration(text)]));
  }

  /** When an event named `eventName` received at `receivedAt` expires; null = kept until erased. */
  expiresAt(eventName: string, receivedAt: Date): Date | null {
    const ms = this.byEvent.has(eventName) ? this.byEvent.get(eventName)! : this.defaultMs;
    return ms === null ? null : new Date(receivedAt.getTime() + ms);
  }
}

export interface SweepResult {
  events: number;
  batches: number;
  /** Inventory examples cleared for age (storage.retention.inventoryExamples). */
  inventoryExamples: number;
  /** Parked alert deliveries dropped for age (storage.retention.alertOutbox). */
  alertOutbox: number;
  /** Erasure times forgotten (older than the window in which erased events may still arrive). */
  erasureTimes: number;
  /**
   * With `dataKeys`: every remaining row authenticated against its clear columns. Tampered rows (an
   * expiry pushed back or removed, a renamed event, a swapped payload) are listed, not deleted: they
   * are evidence, and their true expiry cannot be known.
   */
  verified?: VerifyResult;
}

/**
 * Deletes expired events in bounded batches (short transactions, no long locks) until none are
 * left. Expiry was fixed at insert, so changing the policy affects new events only. Also forgets
 * erasure times older than `erasureWindowMs` (see ERASURE_WINDOW_MS).
 */
export interface SweepOptions {
  batchSize?: number;
  now?: Date;
  maxBatches?: number;
  erasureWindowMs?: number;
  dataKeys?: DataKeys;
  /** Ages after which inventory examples and parked alerts go; null keeps them. Default DEFAULT_SIDE_RETENTION. */
  inventoryExamplesMs?: number | null;
  alertOutboxMs?: number | null;
  /** Where retention counts from (storage.retention.from); default `received`. */
  from?: RetentionFrom;
}

/**
 * The SQL condition "expired at $1". `received`: the expiry fixed at insert (indexed). `timestamp`:
 * the same retention period counted from the event's timestamp when that is earlier than receipt
 * (expires_at - (received_at - event_timestamp)); events without a timestamp count from receipt.
 */
function expiredCondition(from: RetentionFrom = 'received'): string {
  return from === 'timestamp'
    ? `expires_at IS NOT NULL AND expires_at - GREATEST(received_at - COALESCE(event_timestamp, received_at), interval '0') < $1`
    : 'expires_at < $1';
}

/** The SQL expression of an event's effective expiry under `from`. */
function expiryExpression(from: RetentionFrom = 'received'): string {
  return from === 'timestamp' ? `expires_at - GREATEST(received_at - COALESCE(event_timestamp, received_at), interval '0')` : 'expires_at';
}

/** The side retentions of a retention config, in milliseconds (null: kept forever). */
export function sideRetention(config: RetentionConfig = DEFAULT_RETENTION): {
  inventoryExamplesMs: number | null;
  alertOutboxMs: number | null;
  from: RetentionFrom;
} {
  return {
    from: config.from ?? 'received',
    inventoryExamplesMs: parseDuration(config.inventoryExamples ?? DEFAULT_SIDE_RETENTION.inventoryExamples),
    alertOutboxMs: parseDuration(config.alertOutbox ?? DEFAULT_SIDE_RETENTION.alertOutbox),
  };
}

/** What a sweep at `now` would delete, per event name (the oldest expiry first), changing nothing. */
export async function countExpired(
  db: Db,
  options: { now?: Date; from?: RetentionFrom } = {},
): Promise<{ events: number; byEvent: Array<{ event: string; events: number; oldestExpiry: string }> }> {
  const expiry = expiryExpression(options.from);
  const rows = await db.query<{ event: string; n: number | string; oldest: Date | string }>(
    `SELECT event_name AS event, count(*) AS n, min(${expiry}) AS oldest FROM events WHERE ${expiredCondition(options.from)} GROUP BY event_name ORDER BY min(${expiry}), event_name`,
    [options.now ?? new Date()],
  );
  const byEvent = rows.map((r) => ({ event: r.event, events: Number(r.n), oldestExpiry: new Date(r.oldest).toISOString() }));
  return { events: byEvent.reduce((sum, r) => sum + r.events, 0), byEvent };
}

export async function sweepExpired(db: Db, options: SweepOptions = {}): Promise<SweepResult> {
  const batchSize = options.batchSize ?? 1_000;
  const now = options.now ?? new Date();
  let events = 0;
  let batches = 0;
  while (options.maxBatches === undefined || batches < options.maxBatches) {
    // SKIP LOCKED: two sweepers (two engine processes) split the work instead of queueing.
    const [row] = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE ${expiredCondition(options.from)} ORDER BY ${expiryExpression(options.from)} LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [now, batchSize],
    );
    const n = row?.n ?? 0;
    if (n === 0) break;
    events += n;
    batches++;
  }
  const erasureTimes = await forgetErasureTimes(db, new Date(now.getTime() - (options.erasureWindowMs ?? ERASURE_WINDOW_MS)));
  // Also prunes what an erasure's own VACUUM could not (a transaction was still open then).
  const side = sideRetention();
  const examplesMs = options.inventoryExamplesMs === undefined ? side.inventoryExamplesMs : options.inventoryExamplesMs;
  const outboxMs = options.alertOutboxMs === undefined ? side.alertOutboxMs : options.alertOutboxMs;
  const inventoryExamples =
    examplesMs === null
      ? 0
      : await countAffected(db, 'UPDATE inventory_points SET example = NULL, example_subject = NULL WHERE example_at < $1 RETURNING 1', [
          new Date(now.getTime() - examplesMs),
        ]);
  const alertOutbox =
    outboxMs === null || !(await hasTable(db, 'alert_outbox'))
      ? 0
      : await countAffected(db, 'DELETE FROM alert_outbox WHERE created_at < $1 RETURNING 1', [new Date(now.getTime() - outboxMs)]);
  await vacuumKeyTable(db);
  const result = { events, batches, erasureTimes, inventoryExamples, alertOutbox };
  if (!options.dataKeys) return result;
  return { ...result, verified: await verifyEvents(db, options.dataKeys, { pageSize: batchSize }) };
}

/** The outbox table comes with the alerts migration; a store opened by an older build may lack it. */
async function hasTable(db: Db, table: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  return row?.found === true;
}
