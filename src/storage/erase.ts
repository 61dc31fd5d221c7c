import { tombstoneKeys, type DataKeys } from './crypto/data-keys.js';
import type { Db } from './db.js';
import { countAffected } from './sql.js';
import { EXAMPLES_LOCK } from './locks.js';
import { vacuumKeyTable } from './shred.js';

export interface ErasureCounts {
  dataKeys: number;
  events: number;
  profiles: number;
  identities: number;
  inventoryExamples: number;
}

/**
 * Erases subjects. The data keys go FIRST, in their own committed transaction: from that moment
 * every event and profile of the subjects is ciphertext nobody can open, even if the physical
 * deletes below fail half-way (a re-run finishes them). A writer holding a subject's key (FOR KEY
 * SHARE, see DataKeys.forWrite) makes the key destruction wait for its commit, so its events are
 * swept below too. Each key is replaced by a tombstone with the erasure time: a writer that comes
 * later with events that arrived before the erasure drops them rather than storing them under a
 * fresh key.
 */
export async function eraseSubjects(
  db: Db,
  subjects: readonly string[],
  options: { batchSize?: number; emailHash?: string | undefined; dataKeys?: DataKeys | undefined } = {},
): Promise<ErasureCounts> {
  const counts: ErasureCounts = { dataKeys: 0, events: 0, profiles: 0, identities: 0, inventoryExamples: 0 };
  const list = [...subjects];
  if (list.length > 0) {
    counts.dataKeys = options.dataKeys ? await options.dataKeys.destroy(db, list) : await tombstoneKeys(db, list);
    // The destroyed keys' old row versions still hold the wrapped bytes: pruned now (see shred.ts).
    if (counts.dataKeys > 0) await vacuumKeyTable(db);
    counts.events = await deleteEventsInBatches(db, list, options.batchSize ?? 1_000);
    counts.profiles = await countAffected(db, 'DELETE FROM profiles WHERE subject_hash = ANY($1::text[]) RETURNING 1', [list]);
    counts.identities = await countAffected(db, 'DELETE FROM identities WHERE subject_hash = ANY($1::text[]) RETURNING 1', [list]);
    // Links count as identities: they tie ids of the same person together.
    counts.identities += await countAffected(
      db,
      'DELETE FROM subject_links WHERE subject_hash = ANY($1::text[]) OR linked_hash = ANY($1::text[]) RETURNING 1',
      [list],
    );
    // After the flushes in flight (they hold EXAMPLES_LOCK shared): what they write is cleared here,
    // and a flush starting later sees the tombstones above and writes no example of these subjects.
    counts.inventoryExamples = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [EXAMPLES_LOCK]);
      return countAffected(
        tx,
        'UPDATE inventory_points SET example = NULL, example_subject = NULL, updated_at = now() WHERE example_subject = ANY($1::text[]) RETURNING 1',
        [list],
      );
    });
  }
  if (options.emailHash !== undefined) {
    counts.identities += await countAffected(db, 'DELETE FROM identities WHERE email_hash = $1 RETURNING 1', [options.emailHash]);
  }
  return counts;
}

/** Bounded deletes keep each transaction short for subjects with very many events. */
async function deleteEventsInBatches(db: Db, subjects: string[], batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await countAffected(db, 'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE subject_hash = ANY($1::text[]) LIMIT $2) RETURNING 1', [
      subjects,
      batchSize,
    ]);
    total += n;
    if (n === 0) return total;
  }
}

/**
 * How long an erasure time is kept: an event that arrived before an erasure but is written after
 * it is dropped (see DataKeys.forWrite), and after this long none is expected any more (Kafka keeps
 * 7 days by default; a consumer this far behind has bigger problems).
 */
export const ERASURE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Forgets erasure times older than `before`, and the tombstones that hold nothing else. */
export async function forgetErasureTimes(db: Db, before: Date): Promise<number> {
  const gone = await countAffected(db, 'DELETE FROM data_keys WHERE wrapped IS NULL AND erased_at < $1 RETURNING 1', [before.toISOString()]);
  const cleared = await countAffected(db, 'UPDATE data_keys SET erased_at = NULL WHERE wrapped IS NOT NULL AND erased_at < $1 RETURNING 1', [
    before.toISOString(),
  ]);
  return gone + cleared;
}
