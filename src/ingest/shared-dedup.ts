import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.js';

/**
 * The messageId window shared by every ingest process on one store (table ingest_message_ids,
 * PostgreSQL in production): behind a load balancer a client's retry may land on another process,
 * which must not accept the same messageId again. The in-process MessageIdWindow stays the first
 * level; only ids it has not seen come here, one statement per request.
 *
 * An id is claimed before it is produced (an INSERT that only one process can win), marked
 * accepted once the broker has it, and released when the produce fails. A duplicate of an id that
 * another process is still producing is `pending`: the request is answered 429 and its retry finds
 * the id accepted (a 200, nothing produced twice) or released (produced then). A claim whose
 * process died is taken over after `leaseMs`, so an event is never lost to a dead claim.
 */
export interface ClaimResult {
  /** Ids this process now holds: produce them, then `settle`. */
  claimed: string[];
  /** Ids accepted before, by any process: duplicates. */
  seen: number;
  /** Ids another process is producing now: answer "retry later". */
  pending: number;
}

export class SharedMessageIds {
  /** Identifies this process's claims, so that it settles only its own. */
  private readonly claim = randomBytes(8).toString('hex');
  private sweeper: NodeJS.Timeout | undefined;
  /** The acceptances gathering for the next UPDATE, and the one being written. */
  private nextAccept: { ids: Map<string, string[]>; written: Promise<void> } | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: { windowMs: number; leaseMs: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async claimIds(source: string, messageIds: readonly string[]): Promise<ClaimResult> {
    if (messageIds.length === 0) return { claimed: [], seen: 0, pending: 0 };
    const at = this.now();
    // A row expired, or a claim older than the lease that was never accepted, is free to take.
    // One row back, with the ids only when some were not won: the usual answer parses nothing per id.
    const [won] = await this.db.query<{ n: number; ids: string[] | null }>(
      `WITH won AS (
         INSERT INTO ingest_message_ids AS m (source, message_id, claim, accepted, claimed_at, expires_at)
         SELECT $1, id, $3, false, $4, $5 FROM unnest($2::text[]) AS id
         ON CONFLICT (source, message_id) DO UPDATE
           SET claim = EXCLUDED.claim, accepted = false, claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
           WHERE m.expires_at <= EXCLUDED.claimed_at OR (NOT m.accepted AND m.claimed_at <= $6)
         RETURNING message_id)
       SELECT count(*)::int AS n, CASE WHEN count(*) < $7 THEN array_agg(message_id) END AS ids FROM won`,
      [source, messageIds, this.claim, new Date(at), new Date(at + this.options.windowMs), new Date(at - this.options.leaseMs), messageIds.length],
    );
    if (won!.n === messageIds.length) return { claimed: messageIds.slice(), seen: 0, pending: 0 };
    const claimed = new Set(won!.ids ?? []);
    const others = messageIds.filter((id) => !claimed.has(id));
    const held = await this.db.query<{ accepted: boolean; n: number }>(
      `SELECT accepted, count(*)::int AS n FROM ingest_message_ids WHERE source = $1 AND message_id = ANY($2::text[]) GROUP BY accepted`,
      [source, others],
    );
    const seen = held.find((h) => h.accepted)?.n ?? 0;
    // An id that vanished between the two statements (swept, released) counts as pending: retried, it is claimed.
    return { claimed: [...claimed], seen, pending: others.length - seen };
  }

  /**
   * After the produce: accepted (the window starts now) or released for a retry to claim.
   * Acceptances arriving while one is written go together in the next statement.
   */
  settle(source: string, messageIds: readonly string[], accepted: boolean): Promise<void> {
    if (messageIds.length === 0) return Promise.resolve();
    if (!accepted)
      return this.db
        .query('DELETE FROM ingest_message_ids WHERE source = $1 AND message_id = ANY($2::text[]) AND claim = $3 AND NOT accepted', [
          source,
          messageIds,
          this.claim,
        ])
        .then(() => {});
    let next = this.nextAccept;
    if (next === undefined) {
      const ids = new Map<string, string[]>();
      const written = (this.writing ?? Promise.resolve()).then(() => {
        if (this.nextAccept === next) this.nextAccept = undefined;
        return this.accept(ids);
      });
      next = this.nextAccept = { ids, written };
      this.writing = written.catch(() => {});
    }
    const list = next.ids.get(source);
    if (list === undefined) next.ids.set(source, messageIds.slice());
    else for (const id of messageIds) list.push(id);
    return next.written;
  }

  private async accept(bySource: Map<string, string[]>): Promise<void> {
    const until = new Date(this.now() + this.options.windowMs);
    for (const [source, ids] of bySource)
      await this.db.query('UPDATE ingest_message_ids SET accepted = true, expires_at = $4 WHERE source = $1 AND message_id = ANY($2::text[]) AND claim = $3', [
        source,
        ids,
        this.claim,
        until,
      ]);
  }

  /** Deletes rows past their window (and dead claims past theirs); returns how many. */
  async sweep(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      'WITH gone AS (DELETE FROM ingest_message_ids WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone',
      [new Date(this.now())],
    );
    return rows[0]?.n ?? 0;
  }

  /** Sweeps every `everyMs` until `stop` (a failed sweep waits for the next). */
  startSweeping(everyMs: number): void {
    this.sweeper ??= setInterval(() => void this.sweep().catch(() => {}), everyMs);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
