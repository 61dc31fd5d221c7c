import { csvCell, type InventoryCsvColumn } from './csv.js';
import type { DataPointRecord } from './types.js';

/** The fields every output format carries, in order (CSV columns, table columns). */
export const RECORD_FIELDS = [
  'source',
  'event',
  'path',
  'category',
  'dataCategory',
  'classification',
  'matchedOn',
  'confidence',
  'matcher',
  'count',
  'firstSeen',
  'lastSeen',
  'example',
] as const satisfies ReadonlyArray<keyof DataPointRecord>;

export type RecordFormat = 'table' | 'json' | 'ndjson' | 'csv';
export const RECORD_FORMATS: readonly RecordFormat[] = ['table', 'json', 'ndjson', 'csv'];

export function formatRecords(records: readonly DataPointRecord[], format: RecordFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(records.map(ordered), null, 2)}\n`;
    case 'ndjson':
      return records.map((r) => `${JSON.stringify(ordered(r))}\n`).join('');
    case 'csv':
      return toCsv(records);
    case 'table':
      return toTable(records);
  }
}

function ordered(record: DataPointRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) out[field] = record[field];
  return out;
}

/**
 * CSV headers: the names `inventory export-csv` uses for the same fields (snake_case), so one
 * spreadsheet template reads both. The scan's classification is the detector's recommendation.
 */
export const RECORD_CSV_HEADERS: Readonly<Record<(typeof RECORD_FIELDS)[number], InventoryCsvColumn>> = {
  source: 'source',
  event: 'event',
  path: 'path',
  category: 'category',
  dataCategory: 'data_category',
  classification: 'recommended_classification',
  matchedOn: 'matched_on',
  confidence: 'confidence',
  matcher: 'matcher',
  count: 'count',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
  example: 'example',
};

function toCsv(records: readonly DataPointRecord[]): string {
  const lines = [RECORD_FIELDS.map((field) => RECORD_CSV_HEADERS[field]).join(',')];
  // Same cells as the inventory export: RFC 4180 quoting, and producer-chosen text that a
  // spreadsheet would run as a formula (`=…`, `+…`) is defused.
  for (const record of records) lines.push(RECORD_FIELDS.map((field) => csvCell(record[field] as string | number | null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const TABLE_COLUMNS: Array<[keyof DataPointRecord, string, number]> = [
  ['classification', 'CLASS', 6],
  ['category', 'CATEGORY', 20],
  ['source', 'SOURCE', 14],
  ['event', 'EVENT', 22],
  ['path', 'PATH', 40],
  ['matchedOn', 'ON', 9],
  ['confidence', 'CONF', 4],
  ['count', 'COUNT', 7],
  ['example', 'EXAMPLE', 24],
  ['matcher', 'MATCHER', 60],
  ['dataCategory', 'DATA CATEGORY', 30],
  ['firstSeen', 'FIRST SEEN', 24],
  ['lastSeen', 'LAST SEEN', 24],
];

function toTable(records: readonly DataPointRecord[]): string {
  const cell = (record: DataPointRecord, field: keyof DataPointRecord, max: number): string => {
    const value = record[field];
    let text = value === null ? '-' : field === 'confidence' ? (value as number).toFixed(2) : String(value);
    // A table is for a terminal: control characters (newlines, escape sequences) are shown escaped.
    text = text.replace(/\p{Cc}/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (text.length > max) text = `${text.slice(0, max - 1)}…`;
    return text;
  };
  const widths = TABLE_COLUMNS.map(([field, title, max]) => Math.max(title.length, ...records.map((r) => cell(r, field, max).length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [row(TABLE_COLUMNS.map(([, title]) => title))];
  for (const record of records) lines.push(row(TABLE_COLUMNS.map(([field, , max]) => cell(record, field, max))));
  return `${lines.join('\n')}\n`;
}
