import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DataKeys } from './crypto/data-keys.js';
import type { ReceiptSignature, ReceiptSigner } from './crypto/receipt-signing.js';
import type { SubjectHasher } from './crypto/lookup.js';
import type { Db, StorageLogger } from './db.js';
import { RequestDeadlines } from './deadlines.js';
import { silentLogger } from '../core/logger.js';
import { eraseSubjects, type ErasureCounts } from './erase.js';
import { erasureProgress, progressOf, saveProgress } from './request-progress.js';
import { REQUEST_LOCK } from './locks.js';
import { buf, iso, safeErrorLabel } from './sql.js';
import { tombstoneKeys } from './crypto/data-keys.js';
import {
  correctionKeySubject,
  correctionSchema,
  correctiveIdentify,
  correctSubject,
  openCorrection,
  sealCorrection,
  type CorrectionCounts,
  type CorrectionInput,
  type SealedCorrection,
} from './correction.js';
import { addSuppressions, EMAIL_SUPPRESSION_PREFIX, removeSuppressions } from './suppression/list.js';

export const REQUEST_TYPES = ['SUPPRESS', 'DELETE', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS', 'CORRECT'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export type RequestStatus = 'RECEIVED' | 'RUNNING' | 'FINISHED' | 'FAILED';
export type IdKind = 'userId' | 'anonymousId' | 'email';

const id = z.string().min(1).max(1024);
/** Exactly one identifier names the data subject. */
export const subjectSelectorSchema = z.union([
  z.strictObject({ userId: id }),
  z.strictObject({ anonymousId: id }),
  z.strictObject({ email: id.refine((s) => s.includes('@'), { message: 'expected an email address' }) }),
]);
export type SubjectSelector = z.infer<typeof subjectSelectorSchema>;

export interface Receipt {
  requestId: string;
  type: RequestType;
  /** HMAC of the identifier the request named (for email: of the normalised address). */
  subject: string;
  /** The subject hashes the request acted on (an email can map to several). */
  subjects: string[];
  removed: ErasureCounts;
  suppressed: number;
  unsuppressed: number;
  /** The stores data was removed from (or corrected in). */
  where: string[];
  /** Each subject acted on and how the request reached it: the identifier named, an email's claim, or a link (an anonymousId seen with the person, an alias). */
  covered?: CoveredSubject[];
  /** CORRECT: how many profiles and events were corrected, and which traits (names only). */
  corrected?: CorrectionCounts;
  finishedAt: string;
  /** The regulation the request was answered under and its legal deadline (null for requests from before deadlines were recorded). */
  regulation: string | null;
  deadline: string | null;
  /** Ed25519 over the rest of the receipt (absent when no signing key is configured). */
  signature?: ReceiptSignature;
}

export interface CoveredSubject {
  subject: string;
  via: 'identifier' | 'email' | 'link';
}

/** A corrective identify waiting to be handed to the pipeline. */
export interface PendingForward {
  requestId: string;
  event: Record<string, unknown>;
}

export interface CreateOptions {
  regulation?: string | undefined;
  /** CORRECT only: the traits to set and remove. */
  correction?: CorrectionInput | undefined;
}

export interface SubjectRequest {
  id: string;
  type: RequestType;
  idKind: IdKind;
  /** HMAC of the identifier; the identifier itself is never stored. */
  lookupHash: string;
  status: RequestStatus;
  receivedAt: string;
  /** The regulation the request is answered under, and the legal deadline that follows (null: recorded before deadlines were). */
  regulation: string | null;
  deadlineAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Error class and SQLSTATE only: driver messages may quote row values. */
  failure: string | null;
  receipt: Receipt | null;
  /** CORRECT: when the corrective identify was handed to the pipeline (null: not yet). */
  forwardedAt?: string | null;
}

export interface SubjectRequestsDeps {
  db: Db;
  hasher: SubjectHasher;
  /** This process's key cache, evicted on erasure (other processes notice via their write-time key check). */
  dataKeys?: DataKeys | undefined;
  logger?: StorageLogger | undefined;
  /** A RUNNING request older than this is presumed abandoned (crashed process) and may be re-run. */
  staleAfterMs?: number | undefined;
  /** Signs each receipt (SEGMENTLOOM_RECEIPT_SIGNING_KEY); receipts are unsigned without one. */
  signer?: ReceiptSigner | null | undefined;
  /** Legal deadlines per regulation (default: GDPR one month, CCPA and CPA 45 days). */
  deadlines?: RequestDeadlines | undefined;
}

/** Data-subject requests: RECEIVED → RUNNING → FINISHED | FAILED, with a receipt on success. */
export class SubjectRequests {
  private readonly logger: StorageLogger;
  private readonly staleSeconds: number;
  readonly deadlines: RequestDeadlines;

  constructor(private readonly deps: SubjectRequestsDeps) {
    this.logger = deps.logger ?? silentLogger();
    this.deadlines = deps.deadlines ?? new RequestDeadlines();
    this.staleSeconds = Math.ceil((deps.staleAfterMs ?? 15 * 60_000) / 1000);
  }

  lookupHash(selector: SubjectSelector): { kind: IdKind; hash: string } {
    if ('email' in selector) return { kind: 'email', hash: this.deps.hasher.emailHash(selector.email) };
    if ('userId' in selector) return { kind: 'userId', hash: this.deps.hasher.subjectHash(selector.userId) };
    return { kind: 'anonymousId', hash: this.deps.hasher.subjectHash(selector.anonymousId) };
  }

  /**
   * The subject hashes a selector names: itself for ids, every subject identified with the email.
   * Links are not followed: an access export must not hand out what a forged link pointed at.
   */
  async resolve(selector: SubjectSelector): Promise<string[]> {
    const { kind, hash } = this.lookupHash(selector);
    return this.subjectsFor(kind, hash, false);
  }

  async create(type: RequestType, selector: SubjectSelector, options: CreateOptions = {}): Promise<SubjectRequest> {
    if (!REQUEST_TYPES.includes(type)) throw new Error(`unknown request type: expected one of ${REQUEST_TYPES.join(', ')}`);
    const parsed = subjectSelectorSchema.safeParse(selector);
    if (!parsed.success) throw new Error('a request names exactly one of userId, anonymousId or email');
    if ((type === 'CORRECT') !== (options.correction !== undefined)) throw new Error('a correction goes with a CORRECT request, and only with one');
    const correction = options.correction === undefined ? undefined : correctionSchema.safeParse(options.correction);
    if (correction && !correction.success) throw new Error(`invalid correction: ${correction.error.issues[0]!.message}`);
    if (correction && !this.deps.dataKeys) throw new Error('a correction needs the master keys (SEGMENTLOOM_MASTER_KEYS)');
    const regulation = options.regulation ?? this.deadlines.defaultRegulation;
    const receivedAt = new Date();
    const deadline = this.deadlines.deadline(regulation, receivedAt);
    const { kind, hash } = this.lookupHash(parsed.data);
    const rows = await this.deps.db.query<RequestRow>(
      `INSERT INTO subject_requests (id, type, id_kind, lookup_hash, status, received_at, regulation, deadline_at)
       VALUES ($1, $2, $3, $4, 'RECEIVED', $5, $6, $7) RETURNING *`,
      [randomUUID(), type, kind, hash, receivedAt.toISOString(), regulation, deadline.toISOString()],
    );
    if (correction?.success) {
      // Sealed under the request's own data key: the new values are personal data too.
      const sealed: SealedCorrection = { correction: correction.data, selector: parsed.data };
      const blob = await sealCorrection(this.deps.db, this.deps.dataKeys!, rows[0]!.id, sealed);
      await this.deps.db.query('UPDATE subject_requests SET correction = $2 WHERE id = $1', [rows[0]!.id, blob]);
    }
    return toRequest(rows[0]!);
  }

  /** Creates a request and runs it at once. */
  async submit(type: RequestType, selector: SubjectSelector, options: CreateOptions = {}): Promise<SubjectRequest> {
    const request = await this.create(type, selector, options);
    return this.run(request.id);
  }

  /**
   * Runs a request unless another process holds it. Erasure and suppression are idempotent, so a
   * FAILED or abandoned request can simply be run again. On PostgreSQL the runner holds an
   * advisory lock on the request for the whole run (a session lock on a connection of its own):
   * a process killed mid-run loses its connection and with it the lock, so its
   * RUNNING request is runnable again at once — no waiting for `staleAfterMs` — and two live
   * processes never run one request side by side, so the receipt is written exactly once. The
   * embedded store (one process) keeps the age rule.
   */
  async run(requestId: string): Promise<SubjectRequest> {
    // Not a request id: no query (the database's cast error would quote the input).
    if (!z.uuid().safeParse(requestId).success) throw new Error('no such request');
    if (this.deps.db.engine !== 'postgres') return this.claimAndRun(requestId, RUNNABLE);
    const ran = await this.deps.db.transaction(async (session) => {
      // The connection is only pinned: its lock is a session lock, held outside any transaction
      // (an open one would keep the erasure's VACUUM from pruning the destroyed keys, see shred.ts).
      await session.query('COMMIT');
      const [row] = await session.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS held', [REQUEST_LOCK, requestId]);
      // Held by a live process running it now: report what the store says.
      if (row?.held !== true) return null;
      try {
        // Every live runner holds the lock, so a RUNNING request is abandoned here.
        return await this.claimAndRun(requestId, RUNNABLE_UNLOCKED);
      } finally {
        await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REQUEST_LOCK, requestId]);
      }
    });
    if (ran !== null) return ran;
    const current = await this.get(requestId);
    if (!current) throw new Error('no such request');
    return current;
  }

  private async claimAndRun(requestId: string, runnable: string): Promise<SubjectRequest> {
    const claimed = await this.deps.db.query<RequestRow>(
      `UPDATE subject_requests SET status = 'RUNNING', started_at = now(), failure = NULL
       WHERE id = $1 AND ${runnable}
       RETURNING *`,
      [requestId, this.staleSeconds],
    );
    const row = claimed[0];
    if (!row) {
      const current = await this.get(requestId);
      if (!current) throw new Error('no such request');
      return current;
    }
    try {
      const executed = await this.execute(row);
      const receipt = this.deps.signer ? this.deps.signer.sign(executed) : executed;
      const done = await this.deps.db.query<RequestRow>(
        `UPDATE subject_requests SET status = 'FINISHED', finished_at = $2, receipt = $3 WHERE id = $1 RETURNING *`,
        [requestId, receipt.finishedAt, JSON.stringify(receipt)],
      );
      this.logger.info({ requestId, type: row.type, subjects: receipt.subjects.length, removed: receipt.removed }, 'data-subject request finished');
      return toRequest(done[0]!);
    } catch (err) {
      const failure = safeErrorLabel(err);
      this.logger.error({ requestId, type: row.type, err: failure }, 'data-subject request failed');
      const failed = await this.deps.db.query<RequestRow>(
        `UPDATE subject_requests SET status = 'FAILED', finished_at = now(), failure = $2 WHERE id = $1 RETURNING *`,
        [requestId, failure],
      );
      return toRequest(failed[0]!);
    }
  }

  /**
   * Runs every request not finished yet — received, failed, or abandoned by a process that died
   * while running it — oldest first (for an engine loop or a cron): an erasure is never left undone.
   */
  async runPending(options: { limit?: number } = {}): Promise<SubjectRequest[]> {
    // On PostgreSQL a RUNNING request is listed too: run() skips it while its runner is alive.
    const runnable = this.deps.db.engine === 'postgres' ? RUNNABLE_UNLOCKED : RUNNABLE;
    const pending = await this.deps.db.query<{ id: string }>(`SELECT id FROM subject_requests WHERE ${runnable} ORDER BY received_at LIMIT $1`, [
      options.limit ?? 100,
      this.staleSeconds,
    ]);
    const results: SubjectRequest[] = [];
    for (const { id } of pending) results.push(await this.run(id));
    return results;
  }

  /**
   * Runs again the requests a process left RUNNING when it died (a SIGKILL mid-erasure): what
   * `serve` does at start, so a deletion interrupted by a crash completes without waiting for
   * `run-pending`. Requests recorded and not run (RECEIVED) are left to `run-pending`. On the
   * embedded store only requests older than `staleAfterMs` count as abandoned.
   */
  async resumeAbandoned(): Promise<SubjectRequest[]> {
    const running = await this.deps.db.query<{ id: string }>(
      this.deps.db.engine === 'postgres'
        ? `SELECT id FROM subject_requests WHERE status = 'RUNNING' AND $1::int IS NOT NULL ORDER BY received_at`
        : `SELECT id FROM subject_requests WHERE status = 'RUNNING' AND started_at < now() - make_interval(secs => $1) ORDER BY received_at`,
      [this.staleSeconds],
    );
    const results: SubjectRequest[] = [];
    for (const { id } of running) {
      const result = await this.run(id);
      // Still RUNNING: a live process holds it.
      if (result.status !== 'RUNNING') results.push(result);
    }
    return results;
  }

  async get(requestId: string): Promise<SubjectRequest | null> {
    if (!z.uuid().safeParse(requestId).success) return null;
    const [row] = await this.deps.db.query<RequestRow>('SELECT * FROM subject_requests WHERE id = $1', [requestId]);
    return row ? toRequest(row) : null;
  }

  /** Requests newest first, filtered by status and type, one page, with how many match in all. */
  async list(filters: {
    status?: RequestStatus | undefined;
    type?: RequestType | undefined;
    limit: number;
    offset: number;
  }): Promise<{ items: SubjectRequest[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filters.status !== undefined) where.push(`status = $${params.push(filters.status)}`);
    if (filters.type !== undefined) where.push(`type = $${params.push(filters.type)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, count] = await Promise.all([
      this.deps.db.query<RequestRow>(
        `SELECT * FROM subject_requests ${clause} ORDER BY received_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filters.limit, filters.offset],
      ),
      this.deps.db.query<{ n: number | string }>(`SELECT count(*) AS n FROM subject_requests ${clause}`, params),
    ]);
    return { items: rows.map(toRequest), total: Number(count[0]?.n ?? 0) };
  }

  async receipt(requestId: string): Promise<Receipt | null> {
    return (await this.get(requestId))?.receipt ?? null;
  }

  /**
   * Requests not finished whose deadline falls before `now + withinMs` (overdue ones included),
   * soonest first: what a privacy team must act on.
   */
  async atRisk(withinMs: number, options: { now?: Date; limit?: number } = {}): Promise<SubjectRequest[]> {
    const horizon = new Date((options.now ?? new Date()).getTime() + withinMs);
    const rows = await this.deps.db.query<RequestRow>(
      `SELECT * FROM subject_requests WHERE status <> 'FINISHED' AND deadline_at < $1 ORDER BY deadline_at, received_at LIMIT $2`,
      [horizon.toISOString(), options.limit ?? 1_000],
    );
    return rows.map(toRequest);
  }

  /** Per regulation: unfinished requests due within `withinMs` (not yet overdue), and overdue ones (for metrics). */
  async riskCounts(withinMs: number, now = new Date()): Promise<Array<{ regulation: string; atRisk: number; overdue: number }>> {
    const rows = await this.deps.db.query<{ regulation: string; at_risk: number; overdue: number }>(
      `SELECT regulation,
              count(*) FILTER (WHERE deadline_at >= $1)::int AS at_risk,
              count(*) FILTER (WHERE deadline_at < $1)::int AS overdue
       FROM subject_requests WHERE status <> 'FINISHED' AND deadline_at < $2 GROUP BY regulation ORDER BY regulation`,
      [now.toISOString(), new Date(now.getTime() + withinMs).toISOString()],
    );
    return rows.map((r) => ({ regulation: r.regulation, atRisk: r.at_risk, overdue: r.overdue }));
  }

  /** Requests that named any of these lookup hashes (for access exports). */
  async forLookupHashes(hashes: readonly string[]): Promise<SubjectRequest[]> {
    const rows = await this.deps.db.query<RequestRow>('SELECT * FROM subject_requests WHERE lookup_hash = ANY($1::text[]) ORDER BY received_at', [[...hashes]]);
    return rows.map(toRequest);
  }

  private async execute(row: RequestRow): Promise<Receipt> {
    // Erasure and suppression follow the person's exclusive links (over-reaching is the safe side).
    const covered = await this.coveredBy(row.id_kind, row.lookup_hash, true);
    const subjects = covered.map((c) => c.subject);
    const emailHash = row.id_kind === 'email' ? row.lookup_hash : undefined;
    // What earlier runs of this request did (a process killed half-way): the receipt reports the totals.
    const progress = progressOf(row.progress);
    let unsuppressed = 0;
    let removed: ErasureCounts = progress.removed;
    // Suppress before erasing, so events arriving during the erasure are dropped (once the pipeline refreshes).
    // By email, the email itself is suppressed too: it covers subjects not linked to it yet.
    const listed = emailHash === undefined ? subjects : [...subjects, EMAIL_SUPPRESSION_PREFIX + emailHash];
    if (row.type === 'SUPPRESS' || row.type === 'SUPPRESS_WITH_DELETE') {
      await this.deps.db.transaction(async (tx) => {
        const added = await addSuppressions(tx, listed, row.id);
        if (added > 0) await saveProgress(tx, row.id, { ...progress, suppressed: progress.suppressed + added });
        progress.suppressed += added;
      });
    }
    const suppressed = progress.suppressed;
    if (row.type === 'UNSUPPRESS') unsuppressed = await removeSuppressions(this.deps.db, listed);
    if (row.type === 'DELETE' || row.type === 'SUPPRESS_WITH_DELETE') {
      removed = await eraseSubjects(this.deps.db, subjects, { emailHash, dataKeys: this.deps.dataKeys, progress: erasureProgress(row.id, progress) });
      // A correction not forwarded yet would hand the erased person's traits to destinations.
      await this.cancelForwards([row.lookup_hash, ...subjects]);
    }
    const where = (Object.keys(removed) as Array<keyof ErasureCounts>).filter((k) => removed[k] > 0).map(storeName);
    const corrected = row.type === 'CORRECT' ? await this.correct(row, subjects) : undefined;
    if (corrected) {
      if (corrected.profiles > 0) where.push('profiles');
      if (corrected.events > 0) where.push('events');
    }
    return {
      requestId: row.id,
      type: row.type,
      subject: row.lookup_hash,
      subjects,
      removed,
      suppressed,
      unsuppressed,
      where,
      covered,
      ...(corrected ? { corrected } : {}),
      finishedAt: new Date().toISOString(),
      regulation: row.regulation,
      deadline: iso(row.deadline_at),
    };
  }

  /**
   * The stored subjects a request reaches. By userId (or an email's subjects), with `links`: the
   * subject plus the anonymous ids linked to it and to no other subject (its pre-login history).
   * Links come from what clients send, so an id also seen with another account (a shared computer,
   * or a forged link) is never widened to; and by anonymousId a request stays with that id.
   */
  private async subjectsFor(kind: IdKind, hash: string, links: boolean): Promise<string[]> {
    return (await this.coveredBy(kind, hash, links)).map((c) => c.subject);
  }

  private async coveredBy(kind: IdKind, hash: string, links: boolean): Promise<CoveredSubject[]> {
    // An email is a claim an event makes (any client can send identify with any traits.email):
    // like an anonymous id, it reaches a subject only when it is linked to no other subject. An
    // address several subjects claimed reaches none of them; ask by userId.
    const claimed =
      kind === 'email'
        ? (
            await this.deps.db.query<{ subject_hash: string }>('SELECT subject_hash FROM identities WHERE email_hash = $1 ORDER BY subject_hash LIMIT 2', [
              hash,
            ])
          ).map((r) => r.subject_hash)
        : [hash];
    const direct = kind === 'email' && claimed.length > 1 ? [] : claimed;
    const via: CoveredSubject['via'] = kind === 'email' ? 'email' : 'identifier';
    const named: CoveredSubject[] = direct.map((subject) => ({ subject, via }));
    if (!links || kind === 'anonymousId' || direct.length === 0) return named;
    const linked = await this.deps.db.query<{ linked_hash: string }>(
      `SELECT linked_hash FROM subject_links
       WHERE linked_hash IN (SELECT linked_hash FROM subject_links WHERE subject_hash = ANY($1::text[]))
       GROUP BY linked_hash HAVING bool_and(subject_hash = ANY($1::text[]))
       ORDER BY linked_hash`,
      [direct],
    );
    const seen = new Set(direct);
    const all = [...named];
    for (const row of linked) {
      if (seen.has(row.linked_hash)) continue;
      seen.add(row.linked_hash);
      all.push({ subject: row.linked_hash, via: 'link' });
    }
    return all;
  }

  /** Applies a CORRECT request to every subject it reaches and leaves the corrective identify for the engine. */
  private async correct(row: RequestRow, subjects: readonly string[]): Promise<CorrectionCounts> {
    const dataKeys = this.deps.dataKeys;
    if (!dataKeys) throw new Error('a correction needs the master keys (SEGMENTLOOM_MASTER_KEYS)');
    const blob = row.correction ?? null;
    const sealed = blob ? await openCorrection(this.deps.db, dataKeys, row.id, buf(blob)) : null;
    if (!sealed) throw new Error('the correction is no longer available (its subject was erased)');
    const now = new Date();
    const counts: CorrectionCounts = { profiles: 0, events: 0, fields: [...Object.keys(sealed.correction.set), ...sealed.correction.unset].sort() };
    for (const subject of subjects) {
      const result = await correctSubject(this.deps.db, dataKeys, subject, sealed.correction, now);
      counts.profiles += result.profiles;
      counts.events += result.events;
      sealed.userId ??= result.ids.userId;
      sealed.anonymousId ??= result.ids.anonymousId;
    }
    // Re-sealed with the ids found, for the identify the engine forwards.
    await this.deps.db.query('UPDATE subject_requests SET correction = $2 WHERE id = $1', [
      row.id,
      await sealCorrection(this.deps.db, dataKeys, row.id, sealed),
    ]);
    return counts;
  }

  /**
   * Corrective identifies of finished CORRECT requests not yet forwarded, oldest first. One without
   * an id to address (the subject has no stored event and the request named an email) is
   * released without an identify: there is no one to address it to.
   */
  async pendingForwards(limit = 100): Promise<PendingForward[]> {
    const dataKeys = this.deps.dataKeys;
    if (!dataKeys) return [];
    const rows = await this.deps.db.query<{ id: string; correction: Buffer; finished_at: Date }>(
      `SELECT id, correction, finished_at FROM subject_requests WHERE correction IS NOT NULL AND status = 'FINISHED' ORDER BY finished_at LIMIT $1`,
      [limit],
    );
    const pending: PendingForward[] = [];
    for (const row of rows) {
      const sealed = await openCorrection(this.deps.db, dataKeys, row.id, buf(row.correction));
      const event = sealed ? correctiveIdentify(row.id, sealed, new Date(row.finished_at)) : null;
      if (event) pending.push({ requestId: row.id, event });
      else await this.markForwarded(row.id);
    }
    return pending;
  }

  /** The identify is in the pipeline: the sealed correction and its key are destroyed. */
  async markForwarded(requestId: string): Promise<void> {
    await this.deps.db.query('UPDATE subject_requests SET correction = NULL, forwarded_at = now() WHERE id = $1', [requestId]);
    await this.destroyCorrectionKeys([requestId]);
  }

  private async cancelForwards(hashes: readonly string[]): Promise<void> {
    const rows = await this.deps.db.query<{ id: string }>(
      `UPDATE subject_requests SET correction = NULL WHERE type = 'CORRECT' AND correction IS NOT NULL AND lookup_hash = ANY($1::text[]) RETURNING id`,
      [[...hashes]],
    );
    await this.destroyCorrectionKeys(rows.map((r) => r.id));
  }

  private async destroyCorrectionKeys(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length === 0) return;
    const subjects = requestIds.map(correctionKeySubject);
    if (this.deps.dataKeys) await this.deps.dataKeys.destroy(this.deps.db, subjects);
    else await tombstoneKeys(this.deps.db, subjects);
  }
}

/** A request that may be (re)claimed: $2 is the age in seconds after which RUNNING counts as abandoned. */
const RUNNABLE = `(status IN ('RECEIVED', 'FAILED') OR (status = 'RUNNING' AND started_at < now() - make_interval(secs => $2)))`;
/** Under the request's advisory lock (PostgreSQL): anything not finished; $2 is unused but typed. */
const RUNNABLE_UNLOCKED = `(status IN ('RECEIVED', 'FAILED', 'RUNNING') AND $2::int IS NOT NULL)`;

function storeName(key: keyof ErasureCounts): string {
  return { dataKeys: 'data_keys', events: 'events', profiles: 'profiles', identities: 'identities', inventoryExamples: 'inventory_examples' }[key];
}

interface RequestRow {
  id: string;
  type: RequestType;
  id_kind: IdKind;
  lookup_hash: string;
  status: RequestStatus;
  received_at: Date;
  regulation: string | null;
  deadline_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  failure: string | null;
  receipt: Receipt | string | null;
  correction?: Buffer | null;
  forwarded_at?: Date | null;
  /** Running totals of the request's steps (jsonb; see request-progress.ts). */
  progress?: unknown;
}

function toRequest(row: RequestRow): SubjectRequest {
  return {
    id: row.id,
    type: row.type,
    idKind: row.id_kind,
    lookupHash: row.lookup_hash,
    status: row.status,
    receivedAt: iso(row.received_at)!,
    regulation: row.regulation,
    deadlineAt: iso(row.deadline_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    failure: row.failure,
    receipt: typeof row.receipt === 'string' ? (JSON.parse(row.receipt) as Receipt) : row.receipt,
    ...(row.type === 'CORRECT' ? { forwardedAt: iso(row.forwarded_at ?? null) } : {}),
  };
}
