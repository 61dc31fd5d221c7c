import type { SegmentEvent } from '../../events/index.js';
import type { Db, StorageLogger } from '../db.js';
import { silentLogger } from '../../core/logger.js';
import { safeErrorLabel } from '../sql.js';

/**
 * The subjects whose events must be dropped. The pipeline asks `isSuppressed(hash)` per event from
 * memory; `refresh()` (polled) reloads the set from the database. A failed refresh keeps the last
 * good set rather than letting suppressed events through on an empty one.
 */
const HASH_MEMO_SIZE = 50_000;

/**
 * Suppressions by email are stored as `email:<email hash>` beside subject hashes: a person can be
 * suppressed by email before any of their events was seen, and events carrying that email in
 * `traits`, `context.traits` or `properties` are dropped.
 */
export const EMAIL_SUPPRESSION_PREFIX = 'email:';

export interface SuppressionHasher {
  subjectHash(id: string): string;
  emailHash(email: string): string;
}

/**
 * The per-event rule, shared by the main thread and worker threads: suppressed when the userId,
 * the anonymousId or an email the event carries is on the list. Hashes are remembered for recently
 * seen identifiers (bounded, two generations), so a busy stream does not pay an HMAC per event.
 */
export function suppressionCheck(
  hasher: SuppressionHasher,
  list: () => { hashes: ReadonlySet<string>; emails: boolean },
): { isSuppressed(event: SegmentEvent): boolean } {
  let young = new Map<string, string>();
  let old = new Map<string, string>();
  const memo = (key: string, compute: () => string): string => {
    let hash = young.get(key) ?? old.get(key);
    if (hash === undefined) hash = compute();
    if (young.size >= HASH_MEMO_SIZE) {
      old = young;
      young = new Map();
    }
    young.set(key, hash);
    return hash;
  };
  return {
    isSuppressed(event) {
      const { hashes, emails } = list();
      if (hashes.size === 0) return false;
      // Memo keys are tagged by kind ('i' ids, 'e' emails): no id can pose as an email's key.
      const byId = (id: unknown) => typeof id === 'string' && id !== '' && hashes.has(memo(`i${id}`, () => hasher.subjectHash(id)));
      if (byId(event.userId) || byId(event.anonymousId)) return true;
      if (!emails) return false;
      const byEmail = (email: unknown) =>
        typeof email === 'string' && email.includes('@') && hashes.has(memo(`e${email}`, () => EMAIL_SUPPRESSION_PREFIX + hasher.emailHash(email)));
      const contextTraits = (event.context as { traits?: Record<string, unknown> } | undefined)?.traits;
      return byEmail(event.traits?.email) || byEmail(contextTraits?.email) || byEmail(event.properties?.email);
    },
  };
}

export class SuppressionList {
  private hashes: ReadonlySet<string> = new Set();
  private emails = false;
  private loadedAt: Date | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: StorageLogger = silentLogger(),
  ) {}

  isSuppressed(subjectHash: string): boolean {
    return this.hashes.has(subjectHash);
  }

  get size(): number {
    return this.hashes.size;
  }

  /** The subject hashes loaded last (a new set after each refresh): for processes that check elsewhere, e.g. worker threads. */
  get subjectHashes(): ReadonlySet<string> {
    return this.hashes;
  }

  /**
   * A per-event check for the pipeline: suppressed when the userId OR the anonymousId is (an
   * event pairing a suppressed userId with a fresh anonymousId still belongs to that person).
   * Hashes nothing while the list is empty.
   */
  forEvents(hasher: SuppressionHasher): { isSuppressed(event: SegmentEvent): boolean } {
    return suppressionCheck(hasher, () => ({ hashes: this.hashes, emails: this.emails }));
  }

  /** When the set was last loaded successfully (null before the first load). */
  get lastRefresh(): Date | null {
    return this.loadedAt;
  }

  async refresh(): Promise<number> {
    const rows = await this.db.query<{ subject_hash: string }>('SELECT subject_hash FROM suppressions');
    this.hashes = new Set(rows.map((r) => r.subject_hash));
    this.emails = rows.some((r) => r.subject_hash.startsWith(EMAIL_SUPPRESSION_PREFIX));
    this.loadedAt = new Date();
    return this.hashes.size;
  }

  /** Reloads every `intervalMs` until the returned stop function is called. The timer never keeps the process alive. */
  startPolling(intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.refresh()
        .catch((err) => this.logger.error({ err: safeErrorLabel(err) }, 'suppression list refresh failed; keeping the previous list'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

export async function addSuppressions(db: Db, subjects: readonly string[], requestId: string): Promise<number> {
  if (subjects.length === 0) return 0;
  const [row] = await db.query<{ n: number }>(
    `WITH added AS (
       INSERT INTO suppressions (subject_hash, request_id) SELECT unnest($1::text[]), $2
       ON CONFLICT (subject_hash) DO NOTHING RETURNING 1)
     SELECT count(*)::int AS n FROM added`,
    [[...subjects], requestId],
  );
  return row?.n ?? 0;
}

export async function removeSuppressions(db: Db, subjects: readonly string[]): Promise<number> {
  if (subjects.length === 0) return 0;
  const [row] = await db.query<{ n: number }>(
    'WITH gone AS (DELETE FROM suppressions WHERE subject_hash = ANY($1::text[]) RETURNING 1) SELECT count(*)::int AS n FROM gone',
    [[...subjects]],
  );
  return row?.n ?? 0;
}
