import type { StoredDataPoint } from './store-rows.js';

/**
 * The columns of `segmentloom inventory export-csv`, in order. Destinations are joined with `;`.
 * Changing this list changes a documented output format: append, don't reorder.
 */
export const INVENTORY_CSV_COLUMNS = [
  'source',
  'event',
  'path',
  'category',
  'data_category',
  'recommended_classification',
  'reviewed_classification',
  'effective_classification',
  'status',
  'matched_on',
  'confidence',
  'matcher',
  'count',
  'first_seen',
  'last_seen',
  'destinations',
  'example',
  // Appended: every category the point carried, riskiest first, as `id:count` joined with `;`.
  'categories',
] as const;

export type InventoryCsvColumn = (typeof INVENTORY_CSV_COLUMNS)[number];

export interface CsvOptions {
  /**
   * Prefix cells starting with = + - @ (or tab/CR) with `'` so spreadsheets do not run them as
   * formulas (paths and examples come from event producers). Default true.
   */
  guardFormulas?: boolean;
}

/** One RFC 4180 field: quoted when it contains a comma, quote, CR or LF; quotes doubled. */
export function csvCell(value: string | number | null | undefined, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && options.guardFormulas !== false && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cells(point: StoredDataPoint): Record<InventoryCsvColumn, string | number | null> {
  return {
    source: point.source,
    event: point.event,
    path: point.path,
    category: point.category,
    data_category: point.dataCategory,
    recommended_classification: point.classification,
    reviewed_classification: point.reviewedClassification,
    effective_classification: point.effectiveClassification,
    status: point.status,
    matched_on: point.matchedOn,
    confidence: point.confidence,
    matcher: point.matcher,
    count: point.count,
    first_seen: point.firstSeen,
    last_seen: point.lastSeen,
    destinations: point.destinations.join(';'),
    example: point.example,
    categories: (point.categories ?? []).map((c) => `${c.category}:${c.count}`).join(';'),
  };
}

/** The inventory as CSV: header line, then one record per point, CRLF line ends (RFC 4180). */
export function inventoryToCsv(points: readonly StoredDataPoint[], options: CsvOptions = {}): string {
  const lines = [INVENTORY_CSV_COLUMNS.join(',')];
  for (const point of points) {
    const row = cells(point);
    lines.push(INVENTORY_CSV_COLUMNS.map((column) => csvCell(row[column], options)).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
