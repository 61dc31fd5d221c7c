import { relative } from 'node:path';
import { OVERFLOW_EVENT, OVERFLOW_PATH } from '../inventory/aggregate.js';
import type { DurableCounts } from '../state/durable.js';
import type { BatchReport } from '../pipeline/report.js';
import type { DataPointTally } from '../pipeline/walker.js';

/** The end-of-run summary of `segmentloom run --input`: counts and names only, no values. */
export interface RunSummary {
  eventsIn: number;
  out: Record<string, number>;
  dropped: { total: number; byReason: Record<string, number>; byPolicy: Record<string, number> };
  deadLettered: { total: number; byCode: Record<string, number> };
  actions: Record<string, Record<string, number>>;
  skipped: Record<string, Record<string, number>>;
  /** Values classified, per classification and per classifier. */
  detections: { byClassification: Record<string, number>; byClassifier: Record<string, number> };
  /** Distinct data points (event + path) holding personal data, per classification. */
  dataPoints: Record<string, number>;
  /** Only when bounds were reached: values counted under "(other event names)" or "(other paths)" instead of their own point. */
  overflow?: { eventNames: number; paths: number };
  files: Record<string, string>;
  /** With `storage`: events written to the encrypted store, and those it already held. */
  /** `erased`: events not stored because their subject was erased after they arrived. */
  stored?: { events: number; alreadyStored: number; erased: number };
  /** With `inventory`: data points new to the shared inventory (this run found them first), and drifted ones. */
  inventory?: { newDataPoints: number; driftedDataPoints: number };
}

export function summarize(totals: BatchReport, tally: DataPointTally, files: Map<string, string>, durable?: DurableCounts): RunSummary {
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const nested = (m: Map<string, Map<string, number>>) => Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));
  return {
    eventsIn: totals.eventsIn,
    out: Object.fromEntries(totals.out),
    dropped: { total: sum(totals.dropped), byReason: Object.fromEntries(totals.dropped), byPolicy: Object.fromEntries(totals.droppedByPolicy) },
    deadLettered: { total: sum(totals.deadLettered), byCode: Object.fromEntries(totals.deadLettered) },
    actions: nested(totals.actions),
    skipped: nested(totals.skipped),
    detections: { byClassification: Object.fromEntries(totals.detections), byClassifier: Object.fromEntries(totals.classifiers) },
    dataPoints: Object.fromEntries(tally.byClassification()),
    ...(tally.overflow.eventNames + tally.overflow.paths > 0 ? { overflow: { ...tally.overflow } } : {}),
    files: Object.fromEntries(files),
    ...(durable ? { stored: { events: durable.storedEvents, alreadyStored: durable.duplicateEvents, erased: durable.erasedEvents } } : {}),
    ...(durable?.inventory ? { inventory: { ...durable.inventory } } : {}),
  };
}

const ORDER = ['red', 'yellow', 'green'];

export function formatSummary(summary: RunSummary, cwd = process.cwd()): string {
  const lines: string[] = [];
  const pad = (label: string, n: number | string) => `${label.padEnd(22)}${String(n).padStart(8)}`;
  const list = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const file = (target: string) => (summary.files[target] ? `   ${relative(cwd, summary.files[target]!) || summary.files[target]}` : '');

  lines.push(pad('events in', summary.eventsIn));
  const outTotal = Object.values(summary.out).reduce((a, b) => a + b, 0);
  lines.push(pad('events out', outTotal));
  for (const [destination, n] of Object.entries(summary.out)) lines.push(`${pad(`  ${destination}`, n)}${file(destination)}`);
  lines.push(pad('dropped', summary.dropped.total) + (summary.dropped.total > 0 ? `   (${list(summary.dropped.byReason)})` : ''));
  if (Object.keys(summary.dropped.byPolicy).length > 0) lines.push(`  by policy: ${list(summary.dropped.byPolicy)}`);
  lines.push(
    pad('dead-lettered', summary.deadLettered.total) +
      (summary.deadLettered.total > 0 ? `   (${list(summary.deadLettered.byCode)})${file('dead-letter')}` : ''),
  );

  const actions = Object.entries(summary.actions);
  if (actions.length > 0) {
    lines.push('controls');
    for (const [policy, byAction] of actions) {
      lines.push(
        `  ${policy}: ${Object.entries(byAction)
          .map(([a, n]) => `${verb(a)} ${n}`)
          .join(', ')}`,
      );
    }
  }
  const skipped = Object.entries(summary.skipped);
  if (skipped.length > 0) {
    lines.push('destinations skipped');
    for (const [destination, reasons] of skipped) lines.push(`  ${destination}: ${list(reasons)}`);
  }
  const classifications = ORDER.filter((c) => summary.detections.byClassification[c] !== undefined || summary.dataPoints[c] !== undefined);
  lines.push('personal data found');
  if (classifications.length === 0) lines.push('  none');
  for (const c of classifications) {
    lines.push(
      `  ${c.padEnd(8)}${String(summary.dataPoints[c] ?? 0).padStart(6)} data points ${String(summary.detections.byClassification[c] ?? 0).padStart(8)} values`,
    );
  }
  if (Object.keys(summary.detections.byClassifier).length > 0) lines.push(`  by classifier: ${list(summary.detections.byClassifier)}`);
  if (summary.overflow) {
    lines.push(`  past bounds: ${summary.overflow.eventNames} values under "${OVERFLOW_EVENT}", ${summary.overflow.paths} under "${OVERFLOW_PATH}"`);
  }
  if (summary.stored) {
    const notes = [
      summary.stored.alreadyStored > 0 ? `${summary.stored.alreadyStored} already stored` : '',
      summary.stored.erased > 0 ? `${summary.stored.erased} of erased subjects, dropped` : '',
    ].filter(Boolean);
    lines.push(pad('stored events', summary.stored.events) + (notes.length > 0 ? `   (${notes.join('; ')})` : ''));
  }
  if (summary.inventory) {
    lines.push(
      pad('new data points', summary.inventory.newDataPoints) +
        (summary.inventory.driftedDataPoints > 0 ? `   (${summary.inventory.driftedDataPoints} drifted)` : ''),
    );
  }
  return `${lines.join('\n')}\n`;
}

function verb(action: string): string {
  switch (action) {
    case 'block':
      return 'blocked';
    case 'hash':
      return 'hashed';
    case 'remove':
      return 'removed';
    default:
      return action.replace(/_/g, ' ');
  }
}
