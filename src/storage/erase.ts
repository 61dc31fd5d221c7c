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
 * Where an erasure's running totals are kept (a request's row): each step writes them in its own
 * transaction, so a run killed half-way leaves totals that match what it removed, and the run
 * that resumes it adds to them.
 */
export interface ErasureProgress {
  /** What earlier, interrupted runs of the same request removed. */
  done: ErasureCounts;
  /** Writes the totals so far, in the transaction of the step that changed them. */
  save(tx: Db, totals: ErasureCounts): Promise<void>;
}

/**
 * Erases subjects. The data keys go FIRST, in their own committed transaction: from that moment
 * every event and profile of the subjects is ciphertext nobody can open, even if the physical
 * deletes below fail half-way (a re-run finishes them). A writer holding a subject's key (FOR KEY
 * SHARE, see DataKeys.forWrite) makes the key destruction wait for its commit, so its events are
 * swept below too. Each key is replaced by a tombstone with the erasure time: a writer that comes
 * later with events that arrived before the erasure drops them rather than storing them under a
 * fresh key. Every step is one transaction that also saves the totals (`progress`), so the counts
 * returned cover every run of the request.
 */
export async function eraseSubjects(
  db: Db,
  subjects: readonly string[],
  options: { batchSize?: number; emailHash?: string | undefined; dataKeys?: DataKeys | undefined; progress?: ErasureProgress | undefined } = {},
): Promise<ErasureCounts> {
  let counts: ErasureCounts = options.progress ? { ...options.progress.done } : { dataKeys: 0, events: 0, profiles: 0, identities: 0, inventoryExamples: 0 };
  const step = async (key: keyof ErasureCounts, work: (tx: Db) => Promise<number>): Promise<number> => {
    const n = await db.transaction(async (tx) => {
      const removed = await work(tx);
      if (removed > 0) await options.progress?.save(tx, { ...counts, [key]: counts[key] + removed });
      return removed;
    });
    // Only once committed: a step rolled back removed nothing.
    counts = { ...counts, [key]: counts[key] + n };
    return n;
  };
  const list = [...subjects];
  if (list.length > 0) {
    const destroyed = await step('dataKeys', (tx) => (options.dataKeys ? options.dataKeys.destroy(tx, list) : tombstoneKeys(tx, list)));
    // The destroyed keys' old row versions still hold the wrapped bytes: pruned now (see shred.ts).
    if (destroyed > 0) await vacuumKeyTable(db);
    // Bounded deletes keep each transaction short for subjects with very many events.
    const batchSize = options.batchSize ?? 1_000;
    while (
      (await step('events', (tx) =>
        countAffected(tx, 'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE subject_hash = ANY($1::text[]) LIMIT $2) RETURNING 1', [
          list,
          batchSize,
        ]),
      )) > 0
    );
    await step('profiles', (tx) => countAffected(tx, 'DELETE FROM profiles WHERE subject_hash = ANY($1::text[]) RETURNING 1', [list]));
    // Links count as identities: they tie ids of the same person together.
    await step('identities', async (tx) => {
      const identities = await countAffected(tx, 'DELETE FROM identities WHERE subject_hash = ANY($1::text[]) RETURNING 1', [list]);
      return (
        identities +
        (await countAffected(tx, 'DELETE FROM subject_links WHERE subject_hash = ANY($1::text[]) OR linked_hash = ANY($1::text[]) RETURNING 1', [list]))
      );
    });
    // After the flushes in flight (they hold EXAMPLES_LOCK shared): what they write is cleared here,
    // and a flush starting later sees the tombstones above and writes no example of these subjects.
    await step('inventoryExamples', async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [EXAMPLES_LOCK]);
      return countAffected(
        tx,
        'UPDATE inventory_points SET example = NULL, example_subject = NULL, updated_at = now() WHERE example_subject = ANY($1::text[]) RETURNING 1',
        [list],
      );
    });
  }
  const emailHash = options.emailHash;
  if (emailHash !== undefined) {
    await step('identities', (tx) => countAffected(tx, 'DELETE FROM identities WHERE email_hash = $1 RETURNING 1', [emailHash]));
  }
  return counts;
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
