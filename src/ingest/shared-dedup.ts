import { type Deferred, deferred } from '../core/deferred.js';
import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.js';

/**
 * The messageId window shared by every ingest process on one store (table ingest_message_ids,
 * PostgreSQL in production): behind a load balancer a client's retry may land on another process,
 * which must not accept the same messageId again. The in-process MessageIdWindow stays the first
 * level; only ids it has not seen come here, one statement for the requests that arrive together.
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

interface ClaimRequest {
  source: string;
  ids: readonly string[];
  resolve(result: ClaimResult): void;
  reject(err: unknown): void;
}

/** (source, id) as one string: PostgreSQL text never holds a NUL, so the pair is unambiguous. */
function pairKey(source: string, id: string): string {
  return `${source}\u0000${id}`;
}

/** Acceptances waiting for the next statement, and the promise their `settle` calls return. */
interface Acceptances {
  sources: string[];
  ids: string[];
  written: Deferred;
}

function newAcceptances(): Acceptances {
  // Nobody may be waiting (a settle's caller logs its failure; no settle, no caller).
  return { sources: [], ids: [], written: deferred() };
}

function pairs(sources: readonly string[], ids: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i < ids.length; i++) set.add(pairKey(sources[i]!, ids[i]!));
  return set;
}

export class SharedMessageIds {
  /** Identifies this process's claims, so that it settles only its own. */
  private readonly claim = randomBytes(8).toString('hex');
  private sweeper: NodeJS.Timeout | undefined;
  /** What gathers for the next statement while one is out: claims, and acceptances to write. */
  private claims: ClaimRequest[] = [];
  private accepts: Acceptances = newAcceptances();
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly options: { windowMs: number; leaseMs: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Claims the ids this process is about to produce. Claims (and acceptances, see `settle`)
   * arriving while one statement is out go together in the next: a busy ingest makes one round
   * trip per few requests, not two per request — a statement costs this process far more than its
   * ids do. An id asked for twice in one round goes to the first asker; the later one finds it
   * pending, as it would one statement later.
   */
  claimIds(source: string, messageIds: readonly string[]): Promise<ClaimResult> {
    if (messageIds.length === 0) return Promise.resolve({ claimed: [], seen: 0, pending: 0 });
    return new Promise<ClaimResult>((resolve, reject) => {
      this.claims.push({ source, ids: messageIds, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /**
   * After the produce: accepted (the window starts now) or released for a retry to claim.
   * Acceptances go with the next round's claims; resolves once written.
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
    const accepts = this.accepts;
    for (const id of messageIds) {
      accepts.sources.push(source);
      accepts.ids.push(id);
    }
    if (!this.writing) void this.drain();
    return accepts.written.promise;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.claims.length > 0 || this.accepts.ids.length > 0) {
      const claims = this.claims;
      const accepts = this.accepts;
      this.claims = [];
      this.accepts = newAcceptances();
      let results: ClaimResult[];
      try {
        results = await this.round(claims, accepts);
      } catch (err) {
        for (const c of claims) c.reject(err);
        accepts.written.reject(err);
        continue;
      }
      accepts.written.resolve();
      for (let i = 0; i < claims.length; i++) claims[i]!.resolve(results[i]!);
    }
    this.writing = false;
  }

  /** One statement for a round (and a second, rarely, for ids that are not this process's to take). */
  private async round(round: readonly ClaimRequest[], accepts: Acceptances): Promise<ClaimResult[]> {
    // Each (source, id) once: an id twice in one INSERT … ON CONFLICT DO UPDATE is an error.
    const sources: string[] = [];
    const ids: string[] = [];
    const first: boolean[][] = [];
    if (round.length === 1) {
      const { source, ids: own } = round[0]!;
      for (const id of own) {
        sources.push(source);
        ids.push(id);
      }
      first.push(own.map(() => true));
    } else {
      const asked = new Map<string, Set<string>>();
      for (const { source, ids: own } of round) {
        let set = asked.get(source);
        if (set === undefined) asked.set(source, (set = new Set()));
        const mine = new Array<boolean>(own.length);
        for (let i = 0; i < own.length; i++) {
          const id = own[i]!;
          mine[i] = !set.has(id);
          if (!mine[i]) continue;
          set.add(id);
          sources.push(source);
          ids.push(id);
        }
        first.push(mine);
      }
    }

    const at = this.now();
    // Acceptances first (rows this process claimed); an id accepted in this very statement is not
    // claimed again here: the second statement finds it accepted, a duplicate.
    // A row expired, or a claim older than the lease that was never accepted, is free to take.
    // One row back, with the ids only when some were not won: the usual answer parses nothing per id.
    const [won] = await this.db.query<{ n: number; sources: string[] | null; ids: string[] | null }>(
      `WITH acc AS (
         UPDATE ingest_message_ids AS a SET accepted = true, expires_at = $5
         FROM unnest($7::text[], $8::text[]) AS u(s, id)
         WHERE a.source = u.s AND a.message_id = u.id AND a.claim = $3),
       won AS (
         INSERT INTO ingest_message_ids AS m (source, message_id, claim, accepted, claimed_at, expires_at)
         SELECT s, id, $3, false, $4, $5 FROM unnest($1::text[], $2::text[]) AS t(s, id)
         WHERE NOT EXISTS (SELECT 1 FROM unnest($7::text[], $8::text[]) AS u(s, id) WHERE u.s = t.s AND u.id = t.id)
         ON CONFLICT (source, message_id) DO UPDATE
           SET claim = EXCLUDED.claim, accepted = false, claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
           WHERE m.expires_at <= EXCLUDED.claimed_at OR (NOT m.accepted AND m.claimed_at <= $6)
         RETURNING source, message_id)
       SELECT count(*)::int AS n,
              CASE WHEN count(*) < cardinality($2::text[]) THEN array_agg(source) END AS sources,
              CASE WHEN count(*) < cardinality($2::text[]) THEN array_agg(message_id) END AS ids
       FROM won`,
      [sources, ids, this.claim, new Date(at), new Date(at + this.options.windowMs), new Date(at - this.options.leaseMs), accepts.sources, accepts.ids],
    );
    if (round.length === 0) return [];
    const allWon = won!.n === ids.length;
    if (allWon && round.length === 1) return [{ claimed: round[0]!.ids.slice(), seen: 0, pending: 0 }];

    const claimed = allWon ? null : pairs(won!.sources ?? [], won!.ids ?? []);
    let accepted = new Set<string>();
    if (claimed !== null) {
      const others = { sources: [] as string[], ids: [] as string[] };
      for (let i = 0; i < ids.length; i++)
        if (!claimed.has(pairKey(sources[i]!, ids[i]!))) {
          others.sources.push(sources[i]!);
          others.ids.push(ids[i]!);
        }
      // An id that vanished between the two statements (swept, released) counts as pending: retried, it is claimed.
      const [held] = await this.db.query<{ sources: string[] | null; ids: string[] | null }>(
        `SELECT array_agg(m.source) AS sources, array_agg(m.message_id) AS ids
         FROM ingest_message_ids m JOIN unnest($1::text[], $2::text[]) AS t(s, id) ON m.source = t.s AND m.message_id = t.id
         WHERE m.accepted`,
        [others.sources, others.ids],
      );
      accepted = pairs(held?.sources ?? [], held?.ids ?? []);
    }
    return round.map(({ source, ids: own }, r) => {
      const mine = first[r]!;
      const result: ClaimResult = { claimed: [], seen: 0, pending: 0 };
      for (let i = 0; i < own.length; i++) {
        const id = own[i]!;
        if (mine[i] && (claimed === null || claimed.has(pairKey(source, id)))) result.claimed.push(id);
        else if (accepted.has(pairKey(source, id))) result.seen++;
        else result.pending++;
      }
      return result;
    });
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
