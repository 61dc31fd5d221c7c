import type { DataPointRecord } from './types.js';

/**
 * `scan --format table`: what a person reads in an 80-column terminal, riskiest first. Only the
 * columns that say what to look at (class, category, event, path, count); every field is in json,
 * ndjson and csv. Green rows (no personal data found) are left out unless asked for, and a last
 * line says how many were hidden.
 */
export const TERMINAL_WIDTH = 80;

const COLUMNS: Array<[keyof DataPointRecord, string, number]> = [
  ['classification', 'CLASS', 6],
  ['category', 'CATEGORY', 18],
  ['event', 'EVENT', 18],
  ['path', 'PATH', 24],
  ['count', 'COUNT', 6],
];

export function terminalTable(records: readonly DataPointRecord[], options: { all: boolean }): string {
  const shown = options.all ? records : records.filter((r) => r.classification !== 'green');
  const cell = (record: DataPointRecord, field: keyof DataPointRecord, max: number): string => {
    const value = record[field];
    // A table is for a terminal: control characters (newlines, escape sequences) are shown escaped.
    let text = (value === null ? '-' : String(value)).replace(/\p{Cc}/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (text.length > max) text = `${text.slice(0, max - 1)}…`;
    return text;
  };
  const widths = COLUMNS.map(([field, title, max]) => Math.max(title.length, ...shown.map((r) => cell(r, field, max).length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [row(COLUMNS.map(([, title]) => title))];
  for (const record of shown) lines.push(row(COLUMNS.map(([field, , max]) => cell(record, field, max))));
  const hidden = records.length - shown.length;
  if (hidden > 0) lines.push(`(${hidden} green point${hidden === 1 ? '' : 's'} without personal data hidden: --all shows them)`);
  return `${lines.join('\n')}\n`;
}
