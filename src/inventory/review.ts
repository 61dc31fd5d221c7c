import { CLASSIFICATIONS, type Classification } from '../detect/index.js';
import type { Db } from '../storage/db.js';
import { POINT_COLUMNS, toStoredPoint, type InventoryStatus, type PointKey, type PointRow, type StoredDataPoint } from './store-rows.js';

export interface ListFilters {
  status?: InventoryStatus | undefined;
  source?: string | undefined;
  event?: string | undefined;
  /** Exact path, compared with `=` in SQL: `%`, `_` and backslashes are ordinary characters, not wildcards. */
  path?: string | undefined;
  /** Effective classification (reviewed, else recommended). */
  classification?: Classification | undefined;
  /** Classifier id or fideslang data category (a prefix such as `user.contact` matches its children). */
  category?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** A destination that received the point (after enforcement). */
  destination?: string | undefined;
  /** true: reviewed at least once (reviewed_at set); false: never reviewed. */
  reviewed?: boolean | undefined;
  /** true: drifted since its last review (or since first seen, never reviewed); false: not. See migration 014. */
  drift?: boolean | undefined;
  /** `path` (default): by source, event, path; `newest`: last seen first (the portal's inbox). */
  sort?: 'path' | 'newest' | undefined;
}

/** What enforcement should apply to a point: the reviewed classification overrides the recommended one. */
export interface EffectiveClassification extends PointKey {
  category: string | null;
  classification: Classification;
  reviewed: boolean;
}

export async function listDataPoints(db: Db, filters: ListFilters = {}): Promise<StoredDataPoint[]> {
  const { where, params } = whereOf(filters);
  params.push(filters.limit ?? 10_000, filters.offset ?? 0);
  // Riskiest first: a reviewer's day starts with the red points.
  const rows = await db.query<PointRow>(
    `SELECT ${POINT_COLUMNS} FROM inventory_points ${where}
     ORDER BY ${filters.sort === 'newest' ? 'last_seen DESC, source, event, path' : `${RISK_ORDER}, source, event, path`} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(toStoredPoint);
}

/** Drifted since review: evidence changed after the last review stamp (any review clears it). */
const DRIFTED = "(drifted_at IS NOT NULL AND drifted_at > coalesce(reviewed_at, '-infinity'::timestamptz))";

/** Red, then yellow, then green (effective classification). */
const RISK_ORDER = "CASE coalesce(reviewed, recommended) WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END";

export interface PointTotals {
  total: number;
  red: number;
  yellow: number;
  green: number;
}

/** How many points match the filters (limit/offset ignored), in all and per effective classification. */
export async function countDataPoints(db: Db, filters: ListFilters = {}): Promise<PointTotals> {
  const { where, params } = whereOf(filters);
  const rows = await db.query<{ level: string; n: number | string }>(
    `SELECT coalesce(reviewed, recommended) AS level, count(*) AS n FROM inventory_points ${where} GROUP BY 1`,
    params,
  );
  const totals: PointTotals = { total: 0, red: 0, yellow: 0, green: 0 };
  for (const row of rows) {
    const n = Number(row.n);
    totals.total += n;
    if (row.level === 'red' || row.level === 'yellow' || row.level === 'green') totals[row.level] += n;
  }
  return totals;
}

function whereOf(filters: ListFilters): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (filters.status) add('status = ?', filters.status);
  if (filters.source) add('source = ?', filters.source);
  if (filters.event) add('event = ?', filters.event);
  if (filters.path) add('path = ?', filters.path);
  if (filters.classification) add('coalesce(reviewed, recommended) = ?', filters.classification);
  // Any category the point carries counts (categories), not only its primary one.
  if (filters.category)
    add(
      "(category = ? OR data_category = ? OR data_category LIKE replace(replace(?, '%', '\\%'), '_', '\\_') || '.%' OR categories @> jsonb_build_array(jsonb_build_object('category', ?::text)) OR categories @> jsonb_build_array(jsonb_build_object('dataCategory', ?::text)))",
      filters.category,
    );
  if (filters.destination) add('? = ANY(destinations)', filters.destination);
  if (filters.reviewed !== undefined) where.push(filters.reviewed ? 'reviewed_at IS NOT NULL' : 'reviewed_at IS NULL');
  if (filters.drift !== undefined) where.push(filters.drift ? DRIFTED : `NOT (${DRIFTED})`);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Points waiting for review: new ones, and drifted ones sent back. */
export function listInbox(db: Db, filters: Omit<ListFilters, 'status'> = {}): Promise<StoredDataPoint[]> {
  return listDataPoints(db, { ...filters, status: 'inbox' });
}

export async function getDataPoint(db: Db, key: PointKey): Promise<StoredDataPoint | null> {
  const [row] = await db.query<PointRow>(`SELECT ${POINT_COLUMNS} FROM inventory_points WHERE source = $1 AND event = $2 AND path = $3`, [
    key.source,
    key.event,
    key.path,
  ]);
  return row ? toStoredPoint(row) : null;
}

/** Records a reviewer's classification; null when the point does not exist. */
export async function setClassification(db: Db, key: PointKey, classification: Classification): Promise<StoredDataPoint | null> {
  if (!CLASSIFICATIONS.includes(classification)) throw new Error(`classification must be one of ${CLASSIFICATIONS.join(', ')}`);
  const [row] = await db.query<PointRow>(
    `UPDATE inventory_points SET reviewed = $4, reviewed_at = now(), updated_at = now()
     WHERE source = $1 AND event = $2 AND path = $3 RETURNING ${POINT_COLUMNS}`,
    [key.source, key.event, key.path, classification],
  );
  return row ? toStoredPoint(row) : null;
}

/** Accepts a point into the inventory (optionally classifying it in the same step). */
export async function addToInventory(db: Db, key: PointKey, classification?: Classification): Promise<StoredDataPoint | null> {
  if (classification !== undefined && !CLASSIFICATIONS.includes(classification)) throw new Error(`classification must be one of ${CLASSIFICATIONS.join(', ')}`);
  const [row] = await db.query<PointRow>(
    `UPDATE inventory_points SET status = 'inventory', updated_at = now(),
       reviewed = coalesce($4, reviewed), reviewed_at = CASE WHEN $4::text IS NULL THEN reviewed_at ELSE now() END
     WHERE source = $1 AND event = $2 AND path = $3 RETURNING ${POINT_COLUMNS}`,
    [key.source, key.event, key.path, classification ?? null],
  );
  return row ? toStoredPoint(row) : null;
}

/** Every point's effective classification, for the pipeline to poll and enforce. */
export async function effectiveClassifications(db: Db): Promise<EffectiveClassification[]> {
  const rows = await db.query<{ source: string; event: string; path: string; category: string | null; classification: Classification; reviewed: boolean }>(
    `SELECT source, event, path, category, coalesce(reviewed, recommended) AS classification, reviewed IS NOT NULL AS reviewed
     FROM inventory_points ORDER BY source, event, path`,
  );
  return rows;
}

/** The points a person has classified: what the pipeline enforces over the recommendations. */
export async function reviewedClassifications(db: Db): Promise<EffectiveClassification[]> {
  return db.query(
    `SELECT source, event, path, category, reviewed AS classification, true AS reviewed
     FROM inventory_points WHERE reviewed IS NOT NULL ORDER BY source, event, path`,
  );
}

/**
 * A cheap fingerprint of the reviews (how many, the latest change): polled often, so the reviewed
 * rows are read again only when it moves. Any review sets reviewed_at; removing one changes the count.
 */
export async function reviewsVersion(db: Db): Promise<string> {
  const [row] = await db.query<{ n: number; latest: Date | string | null }>(
    'SELECT count(*)::int AS n, max(reviewed_at) AS latest FROM inventory_points WHERE reviewed IS NOT NULL',
  );
  const latest = row?.latest instanceof Date ? row.latest.toISOString() : String(row?.latest ?? '');
  return `${row?.n ?? 0}@${latest}`;
}

/** Sources ranked by how many of their data points are (effectively) red. */
export async function topRedSources(db: Db, options: { limit?: number } = {}): Promise<Array<{ source: string; redPoints: number }>> {
  return db.query(
    `SELECT source, count(*)::int AS "redPoints" FROM inventory_points
     WHERE coalesce(reviewed, recommended) = 'red' GROUP BY source ORDER BY count(*) DESC, source LIMIT $1`,
    [options.limit ?? 10],
  );
}

/** Which destinations actually received data of a category (classifier id, or a fideslang category and its children). */
export async function destinationsForCategory(db: Db, category: string): Promise<Array<{ destination: string; points: number; sources: number }>> {
  return db.query(
    `SELECT d AS destination, count(*)::int AS points, count(DISTINCT source)::int AS sources
     FROM inventory_points, unnest(destinations) AS d
     WHERE category = $1 OR data_category = $1 OR data_category LIKE replace(replace($1, '%', '\\%'), '_', '\\_') || '.%'
        OR categories @> jsonb_build_array(jsonb_build_object('category', $1::text)) OR categories @> jsonb_build_array(jsonb_build_object('dataCategory', $1::text))
     GROUP BY d ORDER BY count(*) DESC, d`,
    [category],
  );
}
