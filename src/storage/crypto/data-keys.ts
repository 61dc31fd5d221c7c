import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
import { buf } from '../sql.js';
import { aad, open, seal } from './aead.js';
import type { Keyring } from './keyring.js';
import { ANONYMOUS_SUBJECT } from './lookup.js';
import { Lru } from './lru.js';

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
}

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

  constructor(private readonly db: Db, private readonly keyring: Keyring, options: { cacheSize?: number } = {}) {
    this.cache = new Lru(options.cacheSize ?? 10_000);
  }

  /**
   * Keys to encrypt with, created when missing. Call inside the write transaction: rows are locked
   * FOR KEY SHARE, so an erasure that deletes a key waits until this write commits (and then
   * deletes its events too), and a key destroyed by another process is never used from the cache.
   */
  async forWrite(tx: Db, subjects: readonly string[]): Promise<Map<string, DataKey>> {
    const result = new Map<string, DataKey>();
    const wanted = [...new Set(subjects)].sort();
    // The shared anonymous key is never erased; locking it would serialise every writer on one row.
    const anonymous = wanted.includes(ANONYMOUS_SUBJECT) ? this.cache.get(ANONYMOUS_SUBJECT) : undefined;
    if (anonymous) result.set(ANONYMOUS_SUBJECT, anonymous);
    const lookup = wanted.filter((s) => !result.has(s));
    if (lookup.length === 0) return result;

    const found = await tx.query<KeyRow>(
      'SELECT subject_hash, key_id, master_version, wrapped FROM data_keys WHERE subject_hash = ANY($1::text[]) ORDER BY subject_hash FOR KEY SHARE',
      [lookup],
    );
    for (const row of found) result.set(row.subject_hash, this.fromRow(row));

    const missing = lookup.filter((s) => !result.has(s));
    if (missing.length > 0) {
      const fresh = missing.map((subjectHash) => ({ id: randomUUID(), subjectHash, key: randomBytes(32) }));
      const { version, key: master } = this.keyring.current;
      const inserted = await tx.query<{ subject_hash: string }>(
        `INSERT INTO data_keys (subject_hash, key_id, master_version, wrapped)
         SELECT s, k, $3, w FROM unnest($1::text[], $2::uuid[], $4::bytea[]) AS u(s, k, w)
         ON CONFLICT (subject_hash) DO NOTHING RETURNING subject_hash`,
        [fresh.map((k) => k.subjectHash), fresh.map((k) => k.id), version, fresh.map((k) => seal(master, k.key, aad.dataKey(k.subjectHash, k.id)))],
      );
      const mine = new Set(inserted.map((r) => r.subject_hash));
      for (const key of fresh) if (mine.has(key.subjectHash)) this.remember(key, result);
      // Lost a creation race to another process: use the key it committed.
      const raced = missing.filter((s) => !mine.has(s));
      if (raced.length > 0) {
        const rows = await tx.query<KeyRow>(
          'SELECT subject_hash, key_id, master_version, wrapped FROM data_keys WHERE subject_hash = ANY($1::text[]) ORDER BY subject_hash FOR KEY SHARE',
          [raced],
        );
        for (const row of rows) result.set(row.subject_hash, this.fromRow(row));
      }
    }
    return result;
  }

  /** Keys by id, for reading stored rows. Destroyed keys are simply absent. */
  async byIds(db: Db, ids: readonly string[]): Promise<Map<string, DataKey>> {
    const result = new Map<string, DataKey>();
    if (ids.length === 0) return result;
    const rows = await db.query<KeyRow>('SELECT subject_hash, key_id, master_version, wrapped FROM data_keys WHERE key_id = ANY($1::uuid[])', [[...new Set(ids)]]);
    for (const row of rows) result.set(row.key_id, this.fromRow(row));
    return result;
  }

  /**
   * Crypto-shreds: deletes the subjects' key rows (committed on its own), then forgets them here.
   * Evicting after the delete returns: a local writer that cached a key while the delete waited for
   * its lock cannot keep it. Returns how many keys were destroyed.
   */
  async destroy(db: Db, subjects: readonly string[]): Promise<number> {
    if (subjects.length === 0) return 0;
    const rows = await db.query<{ key_id: string }>('DELETE FROM data_keys WHERE subject_hash = ANY($1::text[]) RETURNING key_id', [[...subjects]]);
    for (const subject of subjects) this.cache.delete(subject);
    return rows.length;
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
    const [left] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_keys WHERE master_version < $1', [version]);
    return { rewrapped, batches, remaining: left?.n ?? 0 };
  }

  /** How many data keys each master version wraps: a version at 0 can be removed from the keyring. */
  async masterVersionsInUse(): Promise<Array<{ version: number; keys: number }>> {
    const rows = await this.db.query<{ version: number; keys: number }>(
      'SELECT master_version AS version, count(*)::int AS keys FROM data_keys GROUP BY master_version ORDER BY master_version',
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
