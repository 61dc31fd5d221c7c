import type { SegmentEvent } from '../events/index.js';
import type { SubjectHasher } from './crypto/lookup.js';
import type { Db, StorageLogger } from './db.js';
import { silentLogger } from './db.js';
import { safeErrorLabel } from './sql.js';

/**
 * The subjects whose events must be dropped. The pipeline asks `isSuppressed(hash)` per event from
 * memory; `refresh()` (polled) reloads the set from the database. A failed refresh keeps the last
 * good set rather than letting suppressed events through on an empty one.
 */
const HASH_MEMO_SIZE = 50_000;

export class SuppressionList {
  private hashes: ReadonlySet<string> = new Set();
  private loadedAt: Date | null = null;

  constructor(private readonly db: Db, private readonly logger: StorageLogger = silentLogger) {}

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
  forEvents(hasher: SubjectHasher): { isSuppressed(event: SegmentEvent): boolean } {
    // An HMAC per id per event adds up: the hashes of recently seen ids are remembered (bounded,
    // two generations) — they do not change, whatever the list holds.
    let young = new Map<string, string>();
    let old = new Map<string, string>();
    const hashOf = (id: string): string => {
      let hash = young.get(id) ?? old.get(id);
      if (hash === undefined) hash = hasher.subjectHash(id);
      if (young.size >= HASH_MEMO_SIZE) {
        old = young;
        young = new Map();
      }
      young.set(id, hash);
      return hash;
    };
    const suppressed = (id: unknown): boolean => typeof id === 'string' && id !== '' && this.hashes.has(hashOf(id));
    return {
      isSuppressed: (event) => this.hashes.size > 0 && (suppressed(event.userId) || suppressed(event.anonymousId)),
    };
  }

  /** When the set was last loaded successfully (null before the first load). */
  get lastRefresh(): Date | null {
    return this.loadedAt;
  }

  async refresh(): Promise<number> {
    const rows = await this.db.query<{ subject_hash: string }>('SELECT subject_hash FROM suppressions');
    this.hashes = new Set(rows.map((r) => r.subject_hash));
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
