import type { Classification } from '../detect/index.js';
import type { Db } from '../storage/db.js';
import { addToInventory, countDataPoints, getDataPoint, listDataPoints, setClassification, type ListFilters, type PointTotals } from './review.js';
import type { PointKey, StoredDataPoint } from './store-rows.js';
import { SegmentloomError } from '../core/errors.js';

/**
 * The daily review in bulk: accept or classify every point a filter selects (`--classification
 * green --source web`), or a list of points, in one transaction. A dry run counts what would
 * change and changes nothing, so a reviewer sees "312 points" before committing to them.
 */

/** Most points one bulk change may touch; a wider selection is refused, never cut silently. */
export const MAX_BULK_POINTS = 10_000;

export type BulkSelection = { filters: Omit<ListFilters, 'limit' | 'offset'>; points?: undefined } | { points: readonly PointKey[]; filters?: undefined };

export type BulkChange = { kind: 'accept'; classification?: Classification | undefined } | { kind: 'classify'; classification: Classification };

export interface BulkResult {
  dryRun: boolean;
  /** Points selected (by the filters, or the listed points that exist). */
  matched: number;
  /** Points whose state the change alters (0 on a dry run is not implied: it says what would change). */
  changed: number;
  /** Listed points that do not exist (list selections only). */
  missing: PointKey[];
  /** Matched points per effective classification before the change. */
  totals: PointTotals;
}

export class BulkSelectionTooLarge extends SegmentloomError {
  override name = 'BulkSelectionTooLarge';
  constructor(readonly matched: number) {
    super('SLOOM_ERR_USAGE', `the selection holds ${matched} points, more than ${MAX_BULK_POINTS} at once: narrow the filters`);
  }
}

export async function bulkReview(
  db: Db,
  selection: BulkSelection,
  change: BulkChange,
  options: { dryRun: boolean; onChange?: (tx: Db, before: StoredDataPoint, after: StoredDataPoint) => Promise<void> },
): Promise<BulkResult> {
  return db.transaction(async (tx) => {
    const { points, missing } = await select(tx, selection);
    const totals: PointTotals = { total: points.length, red: 0, yellow: 0, green: 0 };
    for (const p of points) totals[p.effectiveClassification]++;
    const changing = points.filter((p) => alters(p, change));
    if (!options.dryRun) {
      for (const before of changing) {
        const key = { source: before.source, event: before.event, path: before.path };
        const after =
          change.kind === 'classify' ? await setClassification(tx, key, change.classification) : await addToInventory(tx, key, change.classification);
        if (after && options.onChange) await options.onChange(tx, before, after);
      }
    }
    return { dryRun: options.dryRun, matched: points.length, changed: changing.length, missing, totals };
  });
}

async function select(db: Db, selection: BulkSelection): Promise<{ points: StoredDataPoint[]; missing: PointKey[] }> {
  if (selection.points !== undefined) {
    if (selection.points.length > MAX_BULK_POINTS) throw new BulkSelectionTooLarge(selection.points.length);
    const points: StoredDataPoint[] = [];
    const missing: PointKey[] = [];
    for (const key of selection.points) {
      const point = await getDataPoint(db, key);
      if (point) points.push(point);
      else missing.push({ source: key.source, event: key.event, path: key.path });
    }
    return { points, missing };
  }
  const { total } = await countDataPoints(db, selection.filters);
  if (total > MAX_BULK_POINTS) throw new BulkSelectionTooLarge(total);
  return { points: await listDataPoints(db, { ...selection.filters, limit: MAX_BULK_POINTS }), missing: [] };
}

function alters(point: StoredDataPoint, change: BulkChange): boolean {
  if (change.kind === 'classify') return point.reviewedClassification !== change.classification;
  return point.status !== 'inventory' || (change.classification !== undefined && point.reviewedClassification !== change.classification);
}
