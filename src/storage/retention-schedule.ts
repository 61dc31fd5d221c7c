import type { Db } from './db.js';
import { RETENTION_SWEEP_LOCK } from './locks.js';
import { sweepExpired, type SweepOptions, type SweepResult } from './retention.js';

/**
 * The retention sweep as one of several engines runs it: only the holder of RETENTION_SWEEP_LOCK
 * sweeps, the others skip (null). The lock is held by a transaction on its own connection while
 * the batches commit one by one on others, so an interrupted sweep keeps what it deleted and the
 * next one (this engine's or another's) carries on from the rows still expired.
 * PGlite is one process's own database: no other engine can share it, so no lock is needed.
 */
export async function sweepIfLeader(db: Db, options: Omit<SweepOptions, 'dataKeys'> = {}): Promise<SweepResult | null> {
  if (db.engine === 'pglite') return sweepExpired(db, options);
  return db.transaction(async (lockTx) => {
    const [row] = await lockTx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [RETENTION_SWEEP_LOCK]);
    if (!row?.locked) return null;
    return sweepExpired(db, options);
  });
}

export interface RetentionScheduleOptions {
  intervalMs?: number;
  batchSize?: number;
  /** Ages of inventory examples and parked alerts to sweep too (see sideRetention). */
  side?: Pick<SweepOptions, 'inventoryExamplesMs' | 'alertOutboxMs' | 'from'>;
  onSweep?: (result: SweepResult) => void;
  onError?: (err: unknown) => void;
}

/** Sweeps every `intervalMs` (default hourly) until stopped; the timer never keeps the process alive. */
export function scheduleRetention(db: Db, options: RetentionScheduleOptions = {}): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = sweepIfLeader(db, { batchSize: options.batchSize, ...options.side })
      .then((result) => {
        if (result) options.onSweep?.(result);
      })
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Age in seconds of the oldest stored event per retention class: each event name the retention
 * config names, and `default` for the rest (labels come from the config, never from events). An
 * age far above its class's period says the sweep is not keeping up.
 */
export async function oldestEventAges(db: Db, configuredEvents: readonly string[], now = new Date()): Promise<Map<string, number>> {
  const rows = await db.query<{ class: string; oldest: Date | string }>(
    `SELECT CASE WHEN event_name = ANY($1::text[]) THEN event_name ELSE 'default' END AS class, min(received_at) AS oldest
     FROM events GROUP BY 1`,
    [[...configuredEvents]],
  );
  return new Map(rows.map((r) => [r.class, Math.max(0, (now.getTime() - new Date(r.oldest).getTime()) / 1000)]));
}
