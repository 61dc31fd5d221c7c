import type { Classification } from '../detect/index.js';
import type { Db } from '../storage/db.js';

/** A classified point as enforcement's point memory reads it (recommended: what detection found). */
export interface ClassifiedPointRow {
  source: string;
  event: string;
  path: string;
  category: string;
  data_category: string | null;
  recommended: Classification;
}

/**
 * Re-reading changes since a time overlaps by this much: a flush of another engine that
 * committed late may carry an `updated_at` a little before the last one seen. Reading a point
 * twice is harmless (memory only goes up).
 */
const OVERLAP_MS = 60_000;

/**
 * Every point with a category, or (with `since`, from a previous call's `until`) those changed
 * since. One indexed scan at start; polls read only what changed.
 */
export async function classifiedPoints(db: Db, since: string | null = null): Promise<{ rows: ClassifiedPointRow[]; until: string | null }> {
  const rows = await db.query<ClassifiedPointRow & { updated_at: string | Date }>(
    `SELECT source, event, path, category, data_category, recommended, updated_at FROM inventory_points
     WHERE category IS NOT NULL ${since === null ? '' : 'AND updated_at > $1::timestamptz'}`,
    since === null ? [] : [new Date(Date.parse(since) - OVERLAP_MS).toISOString()],
  );
  let until = since;
  for (const row of rows) {
    const at = new Date(row.updated_at).toISOString();
    if (until === null || at > until) until = at;
  }
  return { rows, until };
}
