import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
import { buf } from '../sql.js';
import { aad, open, seal } from './aead.js';
import type { Keyring } from './master-keys.js';
import { ANONYMOUS_SUBJECT } from './lookup.js';
import { Lru } from './lru.js';
import { vacuumKeyTable } from '../shred.js';

/** A subject's plaintext data key. `id` changes when a key is destroyed and the subject comes back. */
export interface DataKey {
  id: string;
  subjectHash: string;
  key: Buffer;
}

interface KeyRow {
  subject_hash: string;
  key_id: string;
  master_version: number;
  wrapped: Buffer;
  erased_at?: Date | string | null;
}

/** What a write may use: the subjects' keys, and when those erased before were last erased. */
export interface WriteKeys {
  keys: Map<string, DataKey>;
  /** Epoch millis of the last erasure, for subjects erased before (their events from before it must not be written). */
  erasedAt: Map<string, number>;
}

/** Rounds of re-keying and locking before a write gives up (each round means an erasure landed meanwhile). */
const MAX_KEY_ROUNDS = 4;

export interface RewrapResult {
  rewrapped: number;
  batches: number;
  /** Keys still wrapped by an older version (locked by a concurrent erasure or rewrap). */
  remaining: number;
}

/**
 * Per-subject data keys (envelope encryption): random 256-bit keys, stored only wrapped by the
 * master key. Unwrapped keys are kept in a bounded LRU so a batch costs one key query, not one per
 * event. Destroying a subject's row is crypto-shredding: every ciphertext under it becomes noise.
 */
export class DataKeys {
  private readonly cache: Lru<string, DataKey>;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    options: { cacheSize?: number } = {},
  ) {
    this.cache = new Lru(options.cacheSize ?? 10_000);
  }

  /**
   * Keys to encrypt with, created when missing. Call inside the write transaction: live key rows
   * are locked FOR KEY SHARE, so an erasure waits until this write commits (and then deletes its
   * events too), and a key destroyed by another process is never used from the cache.
   *
   * An erased subject keeps a tombstone row (no key, the erasure time). A write for it takes that
   * row over with a fresh key (an UPDATE: it takes the row lock itself, so two writers never both
   * hold a share lock they would have to upgrade), and reports the erasure time: the caller drops
   * the subject's events from before it. An erasure of a subject with no row yet inserts the
   * tombstone, so a writer creating the first key either waits for it or is waited for.
   */
  async forWrite(tx: Db, subjects: readonly string[]): Promise<WriteKeys> {
    const keys = new Map<string, DataKey>();
    const erasedAt = new Map<string, number>();
    const wanted = [...new Set(subjects)].sort();
    // The shared anonymous key is never erased; locking it would serialise every writer on one row.
    const anonymous = wanted.includes(ANONYMOUS_SUBJECT) ? this.cache.get(ANONYMOUS_SUBJECT) : undefined;
    if (anonymous) keys.set(ANONYMOUS_SUBJECT, anonymous);
    let pending = wanted.filter((s) => !keys.has(s));
    for (let round = 0; pending.length > 0; round++) {
      // Each round resolves every subject unless an erasure lands in between: bounded, and retryable.
      if (round === MAX_KEY_ROUNDS) throw Object.assign(new Error('data keys changed during the write'), { code: '40001' });
      await this.takeOverTombstones(tx, pending, keys, erasedAt);
      pending = pending.filter((s) => !keys.has(s));
      if (pending.length === 0) break;
      const live = await tx.query<KeyRow>(
        `SELECT subject_hash, key_id, master_version, wrapped, erased_at FROM data_keys
         WHERE subject_hash = ANY($1::text[]) AND wrapped IS NOT NULL ORDER BY subject_hash FOR KEY SHARE`,
        [pending],
      );
      for (const row of live) this.use(row, keys, erasedAt);
      const missing = pending.filter((s) => !keys.has(s));
      if (missing.length > 0) {
        const fresh = missing.map(freshKey);
        const { version, key: master } = this.keyring.current;
        // A conflict is a key created by another writer, or a tombstone: both are taken next round.
        const inserted = await tx.query<{ subject_hash: string }>(
          `INSERT INTO data_keys (subject_hash, key_id, master_version, wrapped)
           SELECT s, k, $3, w FROM unnest($1::text[], $2::uuid[], $4::bytea[]) AS u(s, k, w)
           ON CONFLICT (subject_hash) DO NOTHING RETURNING subject_hash`,
          [fresh.map((k) => k.subjectHash), fresh.map((k) => k.id), version, fresh.map((k) => seal(master, k.key, aad.dataKey(k.subjectHash, k.id)))],
        );
        const mine = new Set(inserted.map((r) => r.subject_hash));
        for (const key of fresh) if (mine.has(key.subjectHash)) this.remember(key, keys);
      }
      pending = pending.filter((s) => !keys.has(s));
    }
    return { keys, erasedAt };
  }

  /** Gives erased subjects among `subjects` a fresh key in their tombstone row. */
  private async takeOverTombstones(tx: Db, subjects: string[], keys: Map<string, DataKey>, erasedAt: Map<string, number>): Promise<void> {
    // A plain read first: tombstones are rare, and most writes should not generate keys for nothing.
    const tombstones = await tx.query<{ subject_hash: string }>('SELECT subject_hash FROM data_keys WHERE subject_hash = ANY($1::text[]) AND wrapped IS NULL', [
      subjects,
    ]);
    if (tombstones.length === 0) return;
    const fresh = tombstones.map((row) => freshKey(row.subject_hash)).sort((a, b) => (a.subjectHash < b.subjectHash ? -1 : 1));
    const { version, key: master } = this.keyring.current;
    const taken = await tx.query<{ subject_hash: string; erased_at: Date | string }>(
      `UPDATE data_keys d SET key_id = u.k, master_version = $3, wrapped = u.w, created_at = now(), rewrapped_at = NULL
       FROM unnest($1::text[], $2::uuid[], $4::bytea[]) AS u(s, k, w)
       WHERE d.subject_hash = u.s AND d.wrapped IS NULL
       RETURNING d.subject_hash, d.erased_at`,
      [fresh.map((k) => k.subjectHash), fresh.map((k) => k.id), version, fresh.map((k) => seal(master, k.key, aad.dataKey(k.subjectHash, k.id)))],
    );
    const bySubject = new Map(fresh.map((k) => [k.subjectHash, k]));
    for (const row of taken) {
      this.remember(bySubject.get(row.subject_hash)!, keys);
      erasedAt.set(row.subject_hash, new Date(row.erased_at).getTime());
    }
  }

  private use(row: KeyRow, keys: Map<string, DataKey>, erasedAt: Map<string, number>): void {
    keys.set(row.subject_hash, this.fromRow(row));
    if (row.erased_at !== null && row.erased_at !== undefined) erasedAt.set(row.subject_hash, new Date(row.erased_at).getTime());
  }

  /** Keys by id, for reading stored rows. Destroyed keys are simply absent. */
  async byIds(db: Db, ids: readonly string[]): Promise<Map<string, DataKey>> {
    const result = new Map<string, DataKey>();
    if (ids.length === 0) return result;
    const rows = await db.query<KeyRow>('SELECT subject_hash, key_id, master_version, wrapped FROM data_keys WHERE key_id = ANY($1::uuid[])', [
      [...new Set(ids)],
    ]);
    for (const row of rows) result.set(row.key_id, this.fromRow(row));
    return result;
  }

  /**
   * Crypto-shreds: replaces the subjects' keys by tombstones (committed on its own), then forgets
   * them here. The live keys are locked first, so the erasure waits for writers holding them; the
   * tombstone also covers subjects with no key yet (see forWrite). Evicting after the commit: a
   * local writer that cached a key while the erasure waited for its lock cannot keep it. Returns
   * how many keys were destroyed.
   */
  async destroy(db: Db, subjects: readonly string[]): Promise<number> {
    if (subjects.length === 0) return 0;
    const destroyed = await tombstoneKeys(db, subjects);
    for (const subject of subjects) this.cache.delete(subject);
    return destroyed;
  }

  /**
   * Re-wraps every data key not wrapped by the current master version, in batches, without
   * touching any event. Safe while the engine runs: other processes keep unwrapping with the old
   * version (still in their keyring) until their next restart.
   */
  async rewrap(options: { batchSize?: number } = {}): Promise<RewrapResult> {
    const batchSize = options.batchSize ?? 500;
    const { version, key: master } = this.keyring.current;
    let rewrapped = 0;
    let batches = 0;
    for (;;) {
      const count = await this.db.transaction(async (tx) => {
        // NO KEY UPDATE does not conflict with writers' KEY SHARE locks; SKIP LOCKED lets two rotators share the work.
        // Older versions only (an index range): keys already wrapped by a newer master are not ours to touch.
        const rows = await tx.query<KeyRow>(
          `SELECT subject_hash, key_id, master_version, wrapped FROM data_keys
           WHERE master_version < $1 LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED`,
          [version, batchSize],
        );
        if (rows.length === 0) return 0;
        const wrapped = rows.map((row) => seal(master, this.unwrap(row), aad.dataKey(row.subject_hash, row.key_id)));
        await tx.query(
          `UPDATE data_keys d SET wrapped = u.w, master_version = $3, rewrapped_at = now()
           FROM unnest($1::text[], $2::bytea[]) AS u(s, w) WHERE d.subject_hash = u.s`,
          [rows.map((r) => r.subject_hash), wrapped, version],
        );
        return rows.length;
      });
      if (count === 0) break;
      rewrapped += count;
      batches++;
    }
    // The versions wrapped by the retiring master stay in heap pages until pruned: a copy of the
    // disk plus the old master key would open them after it is removed from the keyring.
    if (rewrapped > 0) await vacuumKeyTable(this.db);
    const [left] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_keys WHERE master_version < $1', [version]);
    return { rewrapped, batches, remaining: left?.n ?? 0 };
  }

  /** The master version new and re-wrapped data keys are wrapped with. */
  get currentMasterVersion(): number {
    return this.keyring.current.version;
  }

  /** How many data keys each master version wraps: a version at 0 can be removed from the keyring. */
  async masterVersionsInUse(): Promise<Array<{ version: number; keys: number }>> {
    const rows = await this.db.query<{ version: number; keys: number }>(
      'SELECT master_version AS version, count(*)::int AS keys FROM data_keys WHERE wrapped IS NOT NULL GROUP BY master_version ORDER BY master_version',
    );
    return rows;
  }

  private fromRow(row: KeyRow): DataKey {
    const cached = this.cache.get(row.subject_hash);
    if (cached !== undefined && cached.id === row.key_id) return cached;
    const key: DataKey = { id: row.key_id, subjectHash: row.subject_hash, key: this.unwrap(row) };
    this.cache.set(row.subject_hash, key);
    return key;
  }

  private remember(key: DataKey, into: Map<string, DataKey>): void {
    into.set(key.subjectHash, key);
    // The anonymous key is used from cache unverified, so it is cached only once read back as a
    // committed row: if this transaction rolls back, its key never existed.
    if (key.subjectHash !== ANONYMOUS_SUBJECT) this.cache.set(key.subjectHash, key);
  }

  private unwrap(row: KeyRow): Buffer {
    return open(this.keyring.get(row.master_version), buf(row.wrapped), aad.dataKey(row.subject_hash, row.key_id));
  }
}

function freshKey(subjectHash: string): DataKey {
  return { id: randomUUID(), subjectHash, key: randomBytes(32) };
}

/**
 * Replaces the subjects' data keys by tombstones (no key, the erasure time), in one transaction:
 * live keys are locked first, so this waits for writers holding them; subjects with no row get a
 * tombstone too, so a writer about to create their first key waits for it (or is waited for).
 * Returns how many keys were destroyed.
 */
export async function tombstoneKeys(db: Db, subjects: readonly string[]): Promise<number> {
  const list = [...new Set(subjects)].sort();
  if (list.length === 0) return 0;
  return db.transaction(async (tx) => {
    const live = await tx.query<{ subject_hash: string }>(
      `UPDATE data_keys SET key_id = NULL, master_version = NULL, wrapped = NULL, rewrapped_at = NULL, erased_at = now()
       WHERE subject_hash = ANY($1::text[]) AND wrapped IS NOT NULL RETURNING subject_hash`,
      [list],
    );
    // Subjects without a key row get a tombstone. A key committed since the statement above (a
    // writer that was creating the first key) is tombstoned here, after waiting for that writer.
    const raced = await tx.query<{ updated: boolean }>(
      `INSERT INTO data_keys (subject_hash, erased_at) SELECT s, now() FROM unnest($1::text[]) AS u(s)
       ON CONFLICT (subject_hash) DO UPDATE SET key_id = NULL, master_version = NULL, wrapped = NULL, rewrapped_at = NULL, erased_at = now()
       WHERE data_keys.wrapped IS NOT NULL
       RETURNING xmax <> 0 AS updated`,
      [list],
    );
    // A subject erased before: its tombstone now carries this erasure's time.
    await tx.query('UPDATE data_keys SET erased_at = now() WHERE subject_hash = ANY($1::text[]) AND wrapped IS NULL', [list]);
    return live.length + raced.filter((row) => row.updated).length;
  });
}
