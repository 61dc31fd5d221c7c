import { type Deferred, deferred } from '../core/deferred.js';
import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.js';
import { type IdOutcome, IdsOut, NONE, Outcome } from './ids-out.js';

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
 *
 * Claims are on the request path, so up to `statements` of them are out at once (the pool has the
 * connections; claims of distinct ids are independent statements): a request waits for one round
 * trip, not for the statement before its own too. Acceptances and releases are written beside
 * them, never holding a claim back. An id with a statement out is in none other (IdsOut).
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

function pairs(sources: readonly string[], ids: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i < ids.length; i++) set.add(pairKey(sources[i]!, ids[i]!));
  return set;
}

/** Acceptances waiting for the next statement, and the promise their `settle` calls return. */
interface Acceptances {
  sources: string[];
  ids: string[];
  written: Deferred;
  outcome: Outcome;
}

function newAcceptances(): Acceptances {
  // Nobody may be waiting (a settle's caller logs its failure; no settle, no caller).
  return { sources: [], ids: [], written: deferred(), outcome: new Outcome() };
}

export class SharedMessageIds {
  /** Identifies this process's claims, so that it settles only its own. */
  private readonly claim = randomBytes(8).toString('hex');
  private sweeper: NodeJS.Timeout | undefined;
  /** Claims waiting for a statement (all `statements` are out), and how many are out. */
  private claims: ClaimRequest[] = [];
  private claimsOut = 0;
  /** Acceptances gathering while one acceptance statement is out. */
  private accepts: Acceptances = newAcceptances();
  private accepting = false;
  private readonly out = new IdsOut();
  private readonly statements: number;

  constructor(
    private readonly db: Db,
    private readonly options: {
      windowMs: number;
      leaseMs: number;
      now?: () => number;
      /** Claim statements out at once (default 3: the pool keeps connections for the rest). */
      statements?: number;
    },
  ) {
    this.statements = Math.max(1, options.statements ?? 3);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Claims the ids this process is about to produce. A claim goes out at once while fewer than
   * `statements` are out; past that, claims gather and go together in the next free one — a
   * statement costs this process far more than its ids do. An id asked for again while a
   * statement about it is out goes to the first asker: the later one is answered from that
   * statement (pending when it won the id, a duplicate when it found it accepted).
   */
  claimIds(source: string, messageIds: readonly string[]): Promise<ClaimResult> {
    if (messageIds.length === 0) return Promise.resolve({ claimed: [], seen: 0, pending: 0 });
    return new Promise<ClaimResult>((resolve, reject) => {
      this.claims.push({ source, ids: messageIds, resolve, reject });
      if (this.claimsOut < this.statements) void this.claimLane();
    });
  }

  /**
   * After the produce: accepted (the window starts now) or released for a retry to claim.
   * Acceptances gather while one acceptance statement is out; resolves once written.
   */
  settle(source: string, messageIds: readonly string[], accepted: boolean): Promise<void> {
    if (messageIds.length === 0) return Promise.resolve();
    if (!accepted) return this.release(source, messageIds);
    const accepts = this.accepts;
    for (const id of messageIds) {
      accepts.sources.push(source);
      accepts.ids.push(id);
      this.out.hold(source, id, accepts.outcome);
    }
    if (!this.accepting) void this.writeAccepts();
    return accepts.written.promise;
  }

  private async release(source: string, messageIds: readonly string[]): Promise<void> {
    // Held meanwhile: a claim of these ids waits and is answered pending (its retry claims them).
    const outcome = new Outcome();
    for (const id of messageIds) this.out.hold(source, id, outcome);
    const sources = messageIds.map(() => source);
    try {
      // By ctid, as acceptances are (see writeAccepts): `message_id = ANY(…)` scans the whole table too.
      await this.db.query(
        `DELETE FROM ingest_message_ids AS d
         WHERE d.ctid = ANY(ARRAY(
           SELECT f.row FROM unnest($2::text[]) AS u(id)
           CROSS JOIN LATERAL (SELECT m.ctid AS row FROM ingest_message_ids m
                               WHERE m.source = $1 AND m.message_id = u.id AND m.claim = $3 AND NOT m.accepted LIMIT 1) AS f))
         AND d.claim = $3 AND NOT d.accepted`,
        [source, messageIds, this.claim],
      );
    } finally {
      this.out.release(sources, messageIds, outcome);
      outcome.failed();
    }
  }

  private async writeAccepts(): Promise<void> {
    this.accepting = true;
    while (this.accepts.ids.length > 0) {
      const batch = this.accepts;
      this.accepts = newAcceptances();
      try {
        // Rows found one index lookup per id, then updated by ctid. A join of the ids to the table
        // is planned as a hash join over a scan of the whole table (the planner prices a few
        // thousand lookups above one scan): a statement that grew with the window, 0.5 s at 200,000
        // rows. `claim` is checked again on the row updated: one taken over meanwhile is not ours.
        // The window keeps the end the claim gave it (claimed + window, a produce's time early):
        // an update of no indexed column is heap-only (migration 019), no new index entries.
        await this.db.query(
          `UPDATE ingest_message_ids AS a SET accepted = true
           WHERE a.ctid = ANY(ARRAY(
             SELECT f.row FROM unnest($1::text[], $2::text[]) AS u(s, id)
             CROSS JOIN LATERAL (SELECT m.ctid AS row FROM ingest_message_ids m
                                 WHERE m.source = u.s AND m.message_id = u.id AND m.claim = $3 LIMIT 1) AS f))
           AND a.claim = $3`,
          [batch.sources, batch.ids, this.claim],
        );
      } catch (err) {
        this.out.release(batch.sources, batch.ids, batch.outcome);
        batch.outcome.failed();
        batch.written.reject(err);
        continue;
      }
      this.out.release(batch.sources, batch.ids, batch.outcome);
      // The broker has them (a claim taken over meanwhile was produced by this process all the same).
      batch.outcome.returned(() => true);
      batch.written.resolve();
    }
    this.accepting = false;
  }

  /** One of the `statements` claim lanes: sends what waits until nothing does. */
  private async claimLane(): Promise<void> {
    this.claimsOut++;
    while (this.claims.length > 0) {
      const round = this.claims;
      this.claims = [];
      await this.claimRound(round);
    }
    this.claimsOut--;
  }

  /**
   * One statement for a round (and a second, rarely, for ids that are not this process's to
   * take); settles the round's requests, never throws.
   */
  private async claimRound(round: readonly ClaimRequest[]): Promise<void> {
    const outcome = new Outcome();
    // The (source, id) pairs this statement asks about: each once, none another statement holds
    // (an id twice in one INSERT … ON CONFLICT DO UPDATE is an error). Per request: the ids it
    // asks about (null: all of its own), and those it waits for elsewhere (null: none, as usual).
    const sources: string[] = [];
    const ids: string[] = [];
    const asked: (string[] | null)[] = [];
    const waiting: ({ id: string; on: IdOutcome }[] | null)[] = [];
    for (const { source, ids: own } of round) {
      let mine: string[] | null = null;
      let later: { id: string; on: IdOutcome }[] | null = null;
      for (let i = 0; i < own.length; i++) {
        const id = own[i]!;
        const on = this.out.get(source, id);
        if (on === undefined) {
          this.out.hold(source, id, outcome);
          sources.push(source);
          ids.push(id);
          mine?.push(id);
        } else {
          mine ??= own.slice(0, i);
          (later ??= []).push({ id, on });
        }
      }
      asked.push(mine);
      waiting.push(later);
    }

    let claimed: Set<string> | null = null;
    let accepted: Set<string> | null = null;
    try {
      if (ids.length > 0) [claimed, accepted] = await this.claimStatement(sources, ids);
    } catch (err) {
      this.out.release(sources, ids, outcome);
      outcome.failed();
      for (const c of round) c.reject(err);
      return;
    }
    this.out.release(sources, ids, outcome);
    const found = accepted;
    outcome.returned(found === null || found.size === 0 ? NONE : (s, id) => found.has(pairKey(s, id)));

    for (let r = 0; r < round.length; r++) {
      const { source, ids: own, resolve } = round[r]!;
      const mine = asked[r];
      const result: ClaimResult = { claimed: [], seen: 0, pending: 0 };
      if (claimed === null) result.claimed = mine ?? own.slice();
      else
        for (const id of mine ?? own) {
          const key = pairKey(source, id);
          if (claimed.has(key)) result.claimed.push(id);
          else if (accepted?.has(key)) result.seen++;
          else result.pending++;
        }
      const later = waiting[r];
      if (!later) {
        resolve(result);
        continue;
      }
      void Promise.all(later.map((w) => w.on.done)).then(() => {
        for (const { id, on } of later)
          if (on.accepted(source, id)) result.seen++;
          else result.pending++;
        resolve(result);
      });
    }
  }

  /**
   * Claims the pairs: the ids won (null: all of them, the usual answer) and, among the rest, those
   * found accepted. A row expired, or a claim older than the lease that was never accepted, is free
   * to take. One row back, with the ids only when some were not won: the usual answer parses
   * nothing per id.
   */
  private async claimStatement(sources: string[], ids: string[]): Promise<[Set<string> | null, Set<string> | null]> {
    const at = this.now();
    const [won] = await this.db.query<{ n: number; sources: string[] | null; ids: string[] | null }>(
      `WITH won AS (
         INSERT INTO ingest_message_ids AS m (source, message_id, claim, accepted, claimed_at, expires_at)
         SELECT s, id, $3, false, $4, $5 FROM unnest($1::text[], $2::text[]) AS t(s, id)
         ON CONFLICT (source, message_id) DO UPDATE
           SET claim = EXCLUDED.claim, accepted = false, claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
           WHERE m.expires_at <= EXCLUDED.claimed_at OR (NOT m.accepted AND m.claimed_at <= $6)
         RETURNING source, message_id)
       SELECT count(*)::int AS n,
              CASE WHEN count(*) < cardinality($2::text[]) THEN array_agg(source) END AS sources,
              CASE WHEN count(*) < cardinality($2::text[]) THEN array_agg(message_id) END AS ids
       FROM won`,
      [sources, ids, this.claim, new Date(at), new Date(at + this.options.windowMs), new Date(at - this.options.leaseMs)],
    );
    if (won!.n === ids.length) return [null, null];
    const claimed = pairs(won!.sources ?? [], won!.ids ?? []);
    const others = { sources: [] as string[], ids: [] as string[] };
    for (let i = 0; i < ids.length; i++)
      if (!claimed.has(pairKey(sources[i]!, ids[i]!))) {
        others.sources.push(sources[i]!);
        others.ids.push(ids[i]!);
      }
    // An id that vanished between the two statements (swept, released) counts as pending: retried, it is claimed.
    // One index lookup per id (LATERAL … LIMIT 1 is never made a hash join over the whole table).
    const [held] = await this.db.query<{ sources: string[] | null; ids: string[] | null }>(
      `SELECT array_agg(t.s) AS sources, array_agg(t.id) AS ids
       FROM unnest($1::text[], $2::text[]) AS t(s, id)
       CROSS JOIN LATERAL (SELECT 1 FROM ingest_message_ids m WHERE m.source = t.s AND m.message_id = t.id AND m.accepted LIMIT 1) AS held`,
      [others.sources, others.ids],
    );
    return [claimed, pairs(held?.sources ?? [], held?.ids ?? [])];
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
