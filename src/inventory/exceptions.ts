import type { Db } from '../storage/db.js';
import { POINT_COLUMNS, toStoredPoint, type PointKey, type PointRow, type StoredDataPoint } from './store-rows.js';

/**
 * Review decisions beyond classify/accept (the Privacy Portal's inbox and inventory):
 * - a rejection ("not personal data") is an exception that sticks: the point is classified green
 *   and leaves the inbox, and the exception row records the evidence it answered and why. New
 *   events with the same evidence change counts only (store.ts keeps status and review unless the
 *   point drifts); riskier evidence sends it back, because the reviewer never saw that (fail closed);
 * - "mark reviewed" stamps reviewed_at for periodic review, keeping the classification in force.
 */

export interface ReviewException extends PointKey {
  category: string | null;
  recommended: string;
  reason: string;
  actorKeyId: string | null;
  actorRole: string;
  createdAt: string;
}

interface ExceptionRow {
  source: string;
  event: string;
  path: string;
  category: string | null;
  recommended: string;
  reason: string;
  actor_key_id: string | null;
  actor_role: string;
  created_at: Date;
}

const toException = (r: ExceptionRow): ReviewException => ({
  source: r.source,
  event: r.event,
  path: r.path,
  category: r.category,
  recommended: r.recommended,
  reason: r.reason,
  actorKeyId: r.actor_key_id,
  actorRole: r.actor_role,
  createdAt: r.created_at.toISOString(),
});

/** Records the exception and applies it (green, out of the inbox); null when the point does not exist. */
export async function rejectPoint(db: Db, key: PointKey, reason: string, actor: { keyId: string | null; role: string }): Promise<StoredDataPoint | null> {
  const [row] = await db.query<PointRow>(
    `UPDATE inventory_points SET reviewed = 'green', reviewed_at = now(), status = 'inventory', updated_at = now()
     WHERE source = $1 AND event = $2 AND path = $3 RETURNING ${POINT_COLUMNS}`,
    [key.source, key.event, key.path],
  );
  if (!row) return null;
  await db.query(
    `INSERT INTO inventory_exceptions (source, event, path, category, recommended, reason, actor_key_id, actor_role)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (source, event, path) DO UPDATE SET category = EXCLUDED.category, recommended = EXCLUDED.recommended,
       reason = EXCLUDED.reason, actor_key_id = EXCLUDED.actor_key_id, actor_role = EXCLUDED.actor_role, created_at = now()`,
    [key.source, key.event, key.path, row.category, row.recommended, reason, actor.keyId, actor.role],
  );
  return toStoredPoint(row);
}

export async function getException(db: Db, key: PointKey): Promise<ReviewException | null> {
  const [row] = await db.query<ExceptionRow>('SELECT * FROM inventory_exceptions WHERE source = $1 AND event = $2 AND path = $3', [
    key.source,
    key.event,
    key.path,
  ]);
  return row ? toException(row) : null;
}

export async function listExceptions(db: Db, options: { limit?: number; offset?: number } = {}): Promise<ReviewException[]> {
  const rows = await db.query<ExceptionRow>('SELECT * FROM inventory_exceptions ORDER BY created_at DESC, source, event, path LIMIT $1 OFFSET $2', [
    options.limit ?? 100,
    options.offset ?? 0,
  ]);
  return rows.map(toException);
}

/** Stamps a periodic review: the classification in force (reviewed, else recommended) becomes the reviewed one. */
export async function markReviewed(db: Db, key: PointKey): Promise<StoredDataPoint | null> {
  const [row] = await db.query<PointRow>(
    `UPDATE inventory_points SET reviewed = coalesce(reviewed, recommended), reviewed_at = now(), updated_at = now()
     WHERE source = $1 AND event = $2 AND path = $3 RETURNING ${POINT_COLUMNS}`,
    [key.source, key.event, key.path],
  );
  return row ? toStoredPoint(row) : null;
}

export interface ReviewCounts {
  status: 'inbox' | 'inventory';
  classification: 'red' | 'yellow' | 'green';
  points: number;
}

/**
 * Points per effective classification in one status: the inbox's headline counts. Read on every
 * inbox load, so it is an index-only count over (status, effective classification) (migration 017).
 */
export async function reviewCounts(db: Db, status: 'inbox' | 'inventory' = 'inbox'): Promise<ReviewCounts[]> {
  return db.query<ReviewCounts>(
    `SELECT status, coalesce(reviewed, recommended) AS classification, count(*)::int AS points
     FROM inventory_points WHERE status = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
    [status],
  );
}

export interface DataMapLink {
  source: string;
  category: string;
  classification: 'red' | 'yellow' | 'green';
  destination: string | null;
  points: number;
}

/**
 * The data map: sources → data points by category → destinations that received them (after
 * controls). One row per (source, category, effective classification, destination); a category
 * no destination received has a row with destination null. Points without a category are green
 * data and left out: the map answers where personal data goes.
 */
export async function dataMap(db: Db): Promise<DataMapLink[]> {
  return db.query<DataMapLink>(
    `SELECT source, category, classification, destination, count(*)::int AS points FROM (
       SELECT source, category, coalesce(reviewed, recommended) AS classification,
              CASE WHEN cardinality(destinations) = 0 THEN ARRAY[NULL::text] ELSE destinations END AS ds
       FROM inventory_points WHERE category IS NOT NULL
     ) p, unnest(p.ds) AS destination
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4 NULLS LAST`,
  );
}
