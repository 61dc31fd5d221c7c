import { riskOf, type Classification } from '../detect/index.js';
import type { Db } from '../storage/db.js';
import { EXAMPLES_LOCK } from '../storage/locks.js';
import { withRetry } from '../storage/sql.js';
import { storableOrNull, storableText } from '../storage/text.js';
import { mergeCategories, mergeObservation, unionDestinations } from './store-merge.js';
import { POINT_COLUMNS, pointKey, toRecord, toStoredPoint, type DataPointObservation, type DriftReason, type PointKey, type PointRow } from './store-rows.js';
import type { CategoryCount, DataPointSignal } from './types.js';

export { mergeObservation } from './store-merge.js';
export type { DataPointObservation, DriftReason, InventoryStatus, PointKey, StoredDataPoint } from './store-rows.js';

/**
 * Writes observations into the shared inventory and reports what is new or has drifted.
 *
 * Newness is decided by the database, not by the caller: `INSERT … ON CONFLICT DO NOTHING
 * RETURNING` hands a new key back to exactly one transaction, however many engine processes
 * observed it at once (points found stored are locked first, so only the missing ones are
 * inserted). Known points then get their counts added (`count = count + n`) under that row lock,
 * which is also where drift is judged against the stored classification:
 *  - drift = the observed data is riskier than the stored recommendation, or the point had no
 *    category and now has one;
 *  - a drifted point goes back to the review inbox, and a reviewed classification less risky than
 *    the new evidence is cleared (a human decision on older data must not downgrade riskier data).
 */
export async function upsertObservations(db: Db, observations: readonly DataPointObservation[], options: { now?: Date } = {}): Promise<DataPointSignal[]> {
  if (observations.length === 0) return [];
  const byKey = new Map<string, DataPointObservation>();
  for (const raw of observations) {
    const obs = storableObservation(raw);
    const key = pointKey(obs);
    const seen = byKey.get(key);
    byKey.set(key, seen ? mergeObservation(seen, obs) : { ...obs, destinations: unionDestinations(undefined, obs.destinations) });
  }
  // One lock order for every process: overlapping flushes queue instead of deadlocking.
  const batch = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, obs]) => obs);
  const detectedAt = (options.now ?? new Date()).toISOString();
  return withRetry(() => db.transaction((tx) => upsertBatch(tx, batch, detectedAt)));
}

async function upsertBatch(tx: Db, batch: DataPointObservation[], detectedAt: string): Promise<DataPointSignal[]> {
  // Shared: flushes of several engines run side by side; an erasure clearing examples waits for them.
  await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [EXAMPLES_LOCK]);
  batch = await withoutErasedExamples(tx, batch);
  // Known points are locked first: once traffic settles every point of a flush exists, and the
  // insert (16 columns for rows that would all conflict) is skipped. Both steps go in key order.
  const stored = await lockPoints(tx, batch);
  const missing = batch.filter((o) => !stored.has(pointKey(o)));
  const isNew = new Set<string>();
  if (missing.length > 0) {
    for (const row of await insertPoints(tx, missing)) isNew.add(pointKey(row));
    // Inserted by another process since the lock above: known after all, locked now.
    const raced = missing.filter((o) => !isNew.has(pointKey(o)));
    if (raced.length > 0) for (const [key, row] of await lockPoints(tx, raced)) stored.set(key, row);
  }
  const signals: DataPointSignal[] = batch.filter((o) => isNew.has(pointKey(o))).map((o) => ({ kind: 'new', point: recordOf(o), detectedAt }));

  const known = batch.filter((o) => !isNew.has(pointKey(o)));
  if (known.length === 0) return signals;
  const updates = known.map((obs) => planUpdate(obs, stored.get(pointKey(obs))));
  // Only drifted rows come back (for their signals): rows returned cost a parse each, and on
  // PGlite that was a quarter of a flush's time.
  const drifted = await tx.query<PointRow>(
    `WITH changed AS (UPDATE inventory_points p SET
       count = p.count + u.n,
       first_seen = least(p.first_seen, u.fs),
       last_seen = greatest(p.last_seen, u.ls),
       destinations = ARRAY(SELECT jsonb_array_elements_text(u.d::jsonb)),
       category = CASE WHEN u.drift THEN u.c ELSE p.category END,
       data_category = CASE WHEN u.drift THEN u.dc ELSE p.data_category END,
       recommended = CASE WHEN u.drift THEN u.r ELSE p.recommended END,
       matched_on = CASE WHEN u.drift THEN u.mo ELSE p.matched_on END,
       confidence = CASE WHEN u.drift THEN u.cf ELSE p.confidence END,
       matcher = CASE WHEN u.drift THEN u.m ELSE p.matcher END,
       status = CASE WHEN u.drift THEN 'inbox' ELSE p.status END,
       reviewed = CASE WHEN u.clear_review THEN NULL ELSE p.reviewed END,
       reviewed_at = CASE WHEN u.clear_review THEN NULL ELSE p.reviewed_at END,
       example = CASE WHEN u.take_example THEN u.x ELSE p.example END,
       example_subject = CASE WHEN u.take_example THEN u.xs ELSE p.example_subject END,
       categories = u.cats::jsonb,
       drifted_at = CASE WHEN u.why IS NULL THEN p.drifted_at ELSE now() END,
       drift_reason = coalesce(u.why, p.drift_reason),
       updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::bool[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::float8[], $14::text[], $15::bool[], $16::bool[], $17::text[], $18::text[], $19::text[], $20::text[])
       AS u(s, e, p, n, fs, ls, d, drift, c, dc, r, mo, cf, m, clear_review, take_example, x, xs, cats, why)
     WHERE p.source = u.s AND p.event = u.e AND p.path = u.p
     RETURNING ${POINT_COLUMNS.split(',')
       .map((c) => `p.${c.trim()}`)
       .join(', ')}, u.drift AS drifted)
     SELECT ${POINT_COLUMNS} FROM changed WHERE drifted`,
    [
      known.map((o) => o.source),
      known.map((o) => o.event),
      known.map((o) => o.path),
      known.map((o) => o.count),
      known.map((o) => o.firstSeen),
      known.map((o) => o.lastSeen),
      updates.map((u) => JSON.stringify(u.destinations)),
      updates.map((u) => u.drift),
      known.map((o) => o.category),
      known.map((o) => o.dataCategory),
      known.map((o) => o.classification),
      known.map((o) => o.matchedOn),
      known.map((o) => o.confidence),
      known.map((o) => o.matcher),
      updates.map((u) => u.clearReview),
      updates.map((u) => u.takeExample),
      known.map((o) => o.example),
      known.map((o) => o.exampleSubject ?? null),
      // The row is locked (lockPoints above): its categories and this batch's are merged here.
      known.map((o, i) => {
        const row = stored.get(pointKey(o));
        const before = row === undefined ? [] : categoriesOf(row);
        return JSON.stringify(mergeCategories(before, o.categories, updates[i]!.drift ? o.category : (row?.category ?? o.category)));
      }),
      updates.map((u) => u.driftReason),
    ],
  );
  const after = new Map(drifted.map((row) => [pointKey(row), toStoredPoint(row)]));
  known.forEach((obs, i) => {
    const plan = updates[i]!;
    const point = after.get(pointKey(obs));
    if (plan.drift && plan.previous && point) signals.push({ kind: 'drift', point: toRecord(point), previous: plan.previous, detectedAt });
  });
  return signals;
}

/** What a flush reads of a stored point to plan its update: no example text, counts or times. */
interface LockedRow extends PointKey {
  category: string | null;
  recommended: Classification;
  reviewed: Classification | null;
  matched_on: PointRow['matched_on'];
  destinations: string[] | null;
  categories?: PointRow['categories'];
  has_example: boolean;
}

/** The stored rows of `points` (those that exist), locked FOR UPDATE in key order. */
async function lockPoints(tx: Db, points: readonly PointKey[]): Promise<Map<string, LockedRow>> {
  const rows = await tx.query<LockedRow>(
    `SELECT source, event, path, category, recommended, reviewed, matched_on, destinations, categories, example IS NOT NULL AS has_example
     FROM inventory_points
     WHERE (source, event, path) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
     ORDER BY source COLLATE "C", event COLLATE "C", path COLLATE "C" FOR UPDATE`,
    [points.map((o) => o.source), points.map((o) => o.event), points.map((o) => o.path)],
  );
  return new Map(rows.map((row) => [pointKey(row), row]));
}

/** Inserts the points not stored yet; returns the keys this transaction created (a conflict returns nothing). */
function insertPoints(tx: Db, batch: readonly DataPointObservation[]): Promise<PointKey[]> {
  const col = <T>(pick: (o: DataPointObservation) => T) => batch.map(pick);
  return tx.query<PointKey>(
    `INSERT INTO inventory_points (source, event, path, category, data_category, recommended, matched_on, confidence, matcher,
       first_seen, last_seen, count, destinations, example, example_subject, categories)
     SELECT s, e, p, c, dc, r, mo, cf, m, fs, ls, n, ARRAY(SELECT jsonb_array_elements_text(d::jsonb)), x, xs, cats::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::text[],
                 $10::timestamptz[], $11::timestamptz[], $12::bigint[], $13::text[], $14::text[], $15::text[], $16::text[])
       AS u(s, e, p, c, dc, r, mo, cf, m, fs, ls, n, d, x, xs, cats)
     ON CONFLICT (source, event, path) DO NOTHING
     RETURNING source, event, path`,
    [
      col((o) => o.source),
      col((o) => o.event),
      col((o) => o.path),
      col((o) => o.category),
      col((o) => o.dataCategory),
      col((o) => o.classification),
      col((o) => o.matchedOn),
      col((o) => o.confidence),
      col((o) => o.matcher),
      col((o) => o.firstSeen),
      col((o) => o.lastSeen),
      col((o) => o.count),
      col((o) => JSON.stringify(o.destinations ?? [])),
      col((o) => o.example),
      col((o) => o.exampleSubject ?? null),
      col((o) => JSON.stringify(o.categories ?? [])),
    ],
  );
}

function categoriesOf(row: Pick<PointRow, 'categories'>): CategoryCount[] {
  return typeof row.categories === 'string' ? (JSON.parse(row.categories) as CategoryCount[]) : (row.categories ?? []);
}

/**
 * Observations wait in memory before they are flushed: an example taken from a subject who has
 * been erased since must not be written back. The example subjects' key rows are locked (FOR KEY
 * SHARE, as event writers do), so an erasure starting now waits for this flush and then clears
 * what it wrote (EXAMPLES_LOCK covers subjects with no key row); a subject already erased (within
 * the erasure window) gives no example.
 */
async function withoutErasedExamples(tx: Db, batch: DataPointObservation[]): Promise<DataPointObservation[]> {
  const subjects = [...new Set(batch.map((o) => o.exampleSubject).filter((s): s is string => typeof s === 'string'))].sort();
  if (subjects.length === 0) return batch;
  const rows = await tx.query<{ subject_hash: string; erased: boolean }>(
    'SELECT subject_hash, erased_at IS NOT NULL AS erased FROM data_keys WHERE subject_hash = ANY($1::text[]) ORDER BY subject_hash FOR KEY SHARE',
    [subjects],
  );
  const erased = new Set(rows.filter((row) => row.erased).map((row) => row.subject_hash));
  if (erased.size === 0) return batch;
  return batch.map((o) => (o.exampleSubject != null && erased.has(o.exampleSubject) ? { ...o, example: null, exampleSubject: null } : o));
}

interface UpdatePlan {
  drift: boolean;
  /** Why the evidence changed (recorded as drift since review), or null. */
  driftReason: DriftReason | null;
  clearReview: boolean;
  takeExample: boolean;
  destinations: string[];
  previous?: { category: string | null; classification: Classification };
}

function planUpdate(obs: DataPointObservation, row: LockedRow | undefined): UpdatePlan {
  // The row exists (its insert conflicted) and is now locked; `undefined` cannot happen short of a concurrent purge.
  if (!row) return { drift: false, driftReason: null, clearReview: false, takeExample: false, destinations: obs.destinations ? [...obs.destinations] : [] };
  const drift = (row.category === null && obs.category !== null) || riskOf(obs.classification) > riskOf(row.recommended);
  return {
    drift,
    driftReason: driftReasonOf(obs, row, drift),
    clearReview: drift && row.reviewed !== null && riskOf(row.reviewed) < riskOf(obs.classification),
    // A drifted point shows an example of the new evidence; otherwise keep the first example.
    takeExample: obs.example !== null && (drift || !row.has_example),
    destinations: unionDestinations(row.destinations ?? [], obs.destinations),
    previous: { category: row.category, classification: row.recommended },
  };
}

/**
 * Drift as the inventory records it (docs/portal.md): riskier or newly categorised evidence; a
 * category the point never carried (when its categories were recorded at all: rows from before
 * migration 011 list none); or values that stopped passing validation — the same classifier named
 * by the key alone where the stored evidence had values confirming it.
 */
function driftReasonOf(obs: DataPointObservation, row: LockedRow, drift: boolean): DriftReason | null {
  if (drift) return row.category === null ? 'category' : 'classification';
  const stored = categoriesOf(row);
  if (stored.length > 0 && (obs.categories ?? []).some((c) => !stored.some((s) => s.category === c.category))) return 'category';
  if (obs.category !== null && obs.category === row.category && obs.matchedOn === 'key' && (row.matched_on === 'value' || row.matched_on === 'key+value'))
    return 'validation';
  return null;
}

/** The observation with every producer-supplied text made storable (see storableText): one NUL must not fail the flush. */
function storableObservation(obs: DataPointObservation): DataPointObservation {
  const source = storableText(obs.source);
  const event = storableText(obs.event);
  const path = storableText(obs.path);
  const example = storableOrNull(obs.example);
  if (source === obs.source && event === obs.event && path === obs.path && example === obs.example) return obs;
  return { ...obs, source, event, path, example };
}

function recordOf(obs: DataPointObservation): DataPointSignal['point'] {
  const { destinations: _d, exampleSubject: _x, ...record } = obs;
  return record;
}
