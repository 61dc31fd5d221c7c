import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DataKeys } from './crypto/data-keys.js';
import type { ReceiptSignature, ReceiptSigner } from './crypto/receipt-signing.js';
import type { SubjectHasher } from './crypto/lookup.js';
import type { Db, StorageLogger } from './db.js';
import { RequestDeadlines } from './deadlines.js';
import { silentLogger } from '../core/logger.js';
import { eraseSubjects, type ErasureCounts } from './erase.js';
import { iso, safeErrorLabel } from './sql.js';
import { addSuppressions, EMAIL_SUPPRESSION_PREFIX, removeSuppressions } from './suppression/list.js';

export const REQUEST_TYPES = ['SUPPRESS', 'DELETE', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS'] as const;
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
  /** The stores data was removed from. */
  where: string[];
  finishedAt: string;
  /** The regulation the request was answered under and its legal deadline (null for requests from before deadlines were recorded). */
  regulation: string | null;
  deadline: string | null;
  /** Ed25519 over the rest of the receipt (absent when no signing key is configured). */
  signature?: ReceiptSignature;
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

  async create(type: RequestType, selector: SubjectSelector, options: { regulation?: string | undefined } = {}): Promise<SubjectRequest> {
    if (!REQUEST_TYPES.includes(type)) throw new Error(`unknown request type: expected one of ${REQUEST_TYPES.join(', ')}`);
    const parsed = subjectSelectorSchema.safeParse(selector);
    if (!parsed.success) throw new Error('a request names exactly one of userId, anonymousId or email');
    const regulation = options.regulation ?? this.deadlines.defaultRegulation;
    const receivedAt = new Date();
    const deadline = this.deadlines.deadline(regulation, receivedAt);
    const { kind, hash } = this.lookupHash(parsed.data);
    const rows = await this.deps.db.query<RequestRow>(
      `INSERT INTO subject_requests (id, type, id_kind, lookup_hash, status, received_at, regulation, deadline_at)
       VALUES ($1, $2, $3, $4, 'RECEIVED', $5, $6, $7) RETURNING *`,
      [randomUUID(), type, kind, hash, receivedAt.toISOString(), regulation, deadline.toISOString()],
    );
    return toRequest(rows[0]!);
  }

  /** Creates a request and runs it at once. */
  async submit(type: RequestType, selector: SubjectSelector, options: { regulation?: string | undefined } = {}): Promise<SubjectRequest> {
    const request = await this.create(type, selector, options);
    return this.run(request.id);
  }

  /**
   * Runs a request unless another process holds it. Erasure and suppression are idempotent, so a
   * FAILED or abandoned request can simply be run again.
   */
  async run(requestId: string): Promise<SubjectRequest> {
    // Not a request id: no query (the database's cast error would quote the input).
    if (!z.uuid().safeParse(requestId).success) throw new Error('no such request');
    const claimed = await this.deps.db.query<RequestRow>(
      `UPDATE subject_requests SET status = 'RUNNING', started_at = now(), failure = NULL
       WHERE id = $1 AND ${RUNNABLE}
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
    const pending = await this.deps.db.query<{ id: string }>(
      `SELECT id FROM subject_requests WHERE ${RUNNABLE} ORDER BY received_at LIMIT $1`,
      [options.limit ?? 100, this.staleSeconds],
    );
    const results: SubjectRequest[] = [];
    for (const { id } of pending) results.push(await this.run(id));
    return results;
  }

  async get(requestId: string): Promise<SubjectRequest | null> {
    if (!z.uuid().safeParse(requestId).success) return null;
    const [row] = await this.deps.db.query<RequestRow>('SELECT * FROM subject_requests WHERE id = $1', [requestId]);
    return row ? toRequest(row) : null;
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
    const subjects = await this.subjectsFor(row.id_kind, row.lookup_hash, true);
    const emailHash = row.id_kind === 'email' ? row.lookup_hash : undefined;
    let suppressed = 0;
    let unsuppressed = 0;
    let removed: ErasureCounts = { dataKeys: 0, events: 0, profiles: 0, identities: 0, inventoryExamples: 0 };
    // Suppress before erasing, so events arriving during the erasure are dropped (once the pipeline refreshes).
    // By email, the email itself is suppressed too: it covers subjects not linked to it yet.
    const listed = emailHash === undefined ? subjects : [...subjects, EMAIL_SUPPRESSION_PREFIX + emailHash];
    if (row.type === 'SUPPRESS' || row.type === 'SUPPRESS_WITH_DELETE') suppressed = await addSuppressions(this.deps.db, listed, row.id);
    if (row.type === 'UNSUPPRESS') unsuppressed = await removeSuppressions(this.deps.db, listed);
    if (row.type === 'DELETE' || row.type === 'SUPPRESS_WITH_DELETE') {
      removed = await eraseSubjects(this.deps.db, subjects, { emailHash, dataKeys: this.deps.dataKeys });
    }
    const where = (Object.keys(removed) as Array<keyof ErasureCounts>).filter((k) => removed[k] > 0).map(storeName);
    return {
      requestId: row.id,
      type: row.type,
      subject: row.lookup_hash,
      subjects,
      removed,
      suppressed,
      unsuppressed,
      where,
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
    // An email is a claim an event makes (any client can send identify with any traits.email):
    // like an anonymous id, it reaches a subject only when it is linked to no other subject. An
    // address several subjects claimed reaches none of them; ask by userId.
    const claimed =
      kind === 'email'
        ? (await this.deps.db.query<{ subject_hash: string }>('SELECT subject_hash FROM identities WHERE email_hash = $1 ORDER BY subject_hash LIMIT 2', [hash])).map((r) => r.subject_hash)
        : [hash];
    const direct = kind === 'email' && claimed.length > 1 ? [] : claimed;
    if (!links || kind === 'anonymousId' || direct.length === 0) return direct;
    const linked = await this.deps.db.query<{ linked_hash: string }>(
      `SELECT linked_hash FROM subject_links
       WHERE linked_hash IN (SELECT linked_hash FROM subject_links WHERE subject_hash = ANY($1::text[]))
       GROUP BY linked_hash HAVING bool_and(subject_hash = ANY($1::text[]))
       ORDER BY linked_hash`,
      [direct],
    );
    const all = new Set(direct);
    for (const row of linked) all.add(row.linked_hash);
    return [...all];
  }
}

/** A request that may be (re)claimed: $2 is the age in seconds after which RUNNING counts as abandoned. */
const RUNNABLE = `(status IN ('RECEIVED', 'FAILED') OR (status = 'RUNNING' AND started_at < now() - make_interval(secs => $2)))`;

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
  };
}
