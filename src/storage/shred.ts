import type { Db } from './db.js';

/**
 * Crypto-shredding is final only once the wrapped key's bytes are gone from disk. Destroying a key
 * is an UPDATE (the row becomes a tombstone): PostgreSQL keeps the old row version, wrapped key
 * included, in the table's heap page until VACUUM prunes it, and until then anyone who can read
 * the data directory (or a copy of it) and holds the master key can carve the key out and open the
 * subject's events from an earlier dump. So an erasure vacuums the key table right after the keys
 * are destroyed: the table holds one small row per subject, so this is cheap, and plain VACUUM
 * takes no lock that blocks writers.
 *
 * VACUUM cannot remove a row version an open transaction may still see: a transaction that began
 * before the erasure and is still running keeps the bytes until it ends (the next erasure's or the
 * retention sweep's VACUUM then removes them). What VACUUM cannot reach at all (WAL archives,
 * replicas' WAL, base backups) is described in src/storage/README.md.
 */
export async function vacuumKeyTable(db: Db): Promise<void> {
  // Outside any transaction (VACUUM refuses to run inside one): `db` is the pool, not a tx.
  await db.query('VACUUM data_keys');
}
