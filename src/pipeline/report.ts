import type { Classification } from '../detect/index.js';

/**
 * What one batch did, aggregated once per batch so metrics and summaries cost nothing per value.
 * Every key is a config name or a reason code: no event content.
 */
export interface BatchReport {
  /** Input messages in the batch. */
  eventsIn: number;
  /** destination name → events written to it */
  out: Map<string, number>;
  /** reason (`suppressed`, `policy`) → events written nowhere */
  dropped: Map<string, number>;
  /** policy name → events it dropped */
  droppedByPolicy: Map<string, number>;
  /** dead-letter code → messages */
  deadLettered: Map<string, number>;
  /** classification → values classified */
  detections: Map<Classification, number>;
  /** classifier id → values classified */
  classifiers: Map<string, number>;
  /** policy (`*` when the engine does not attribute) → action (block, hash, remove, dry_run_…) → values */
  actions: Map<string, Map<string, number>>;
  /** destination → reason (consent, do_not_sell, policy) → events it did not receive */
  skipped: Map<string, Map<string, number>>;
  /**
   * Verify mode: `destination \0 source \0 event \0 category \0 classification \0 path` → values that destination is not approved for
   * found in its outputs (see OutputVerifier). Paths are schema; values never appear.
   */
  leaks: Map<string, number>;
  /** destination → outputs verify checked */
  verified: Map<string, number>;
  /** Events written to the event store (redelivered ones already stored are not counted). */
  stored: number;
  durationSeconds: number;
  /** The batch's source name (set by the pipeline when it reports a committed batch). */
  source?: string;
  /** Consumer lag of the batch's partition after the commit (Kafka sources only). */
  lag?: { topic: string; partition: number; lag: number };
}

export interface EngineObserver {
  onBatch(report: BatchReport): void;
  /** A processed batch could not be delivered (a send, store write or commit failed); its partition is read again from it. */
  onRedelivery?(where: { topic: string; partition: number }): void;
}

export function emptyReport(): BatchReport {
  return {
    eventsIn: 0,
    out: new Map(),
    dropped: new Map(),
    droppedByPolicy: new Map(),
    deadLettered: new Map(),
    detections: new Map(),
    classifiers: new Map(),
    actions: new Map(),
    skipped: new Map(),
    leaks: new Map(),
    verified: new Map(),
    stored: 0,
    durationSeconds: 0,
  };
}

export function bump<K>(map: Map<K, number>, key: K, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export function bump2(map: Map<string, Map<string, number>>, outer: string, inner: string, n = 1): void {
  let target = map.get(outer);
  if (target === undefined) map.set(outer, (target = new Map()));
  target.set(inner, (target.get(inner) ?? 0) + n);
}

/** Adds `from` into `into` (durations add up; lag is left alone). */
export function mergeReport(into: BatchReport, from: BatchReport): void {
  into.eventsIn += from.eventsIn;
  for (const [k, n] of from.out) bump(into.out, k, n);
  for (const [k, n] of from.dropped) bump(into.dropped, k, n);
  for (const [k, n] of from.droppedByPolicy) bump(into.droppedByPolicy, k, n);
  for (const [k, n] of from.deadLettered) bump(into.deadLettered, k, n);
  for (const [k, n] of from.detections) bump(into.detections, k, n);
  for (const [k, n] of from.classifiers) bump(into.classifiers, k, n);
  for (const [policy, actions] of from.actions) {
    for (const [action, n] of actions) bump2(into.actions, policy, action, n);
  }
  for (const [destination, reasons] of from.skipped) {
    for (const [reason, n] of reasons) bump2(into.skipped, destination, reason, n);
  }
  for (const [k, n] of from.leaks) bump(into.leaks, k, n);
  for (const [k, n] of from.verified) bump(into.verified, k, n);
  into.stored += from.stored;
  into.durationSeconds += from.durationSeconds;
}

/** Totals over a whole run: what `segmentloom run --input` prints at the end. */
export class RunTotals implements EngineObserver {
  readonly totals = emptyReport();
  batches = 0;
  /** Batches that failed delivery and were read again. */
  redeliveries = 0;

  onRedelivery(): void {
    this.redeliveries++;
  }

  onBatch(report: BatchReport): void {
    this.batches++;
    mergeReport(this.totals, report);
  }
}

export interface Leak {
  destination: string;
  source: string;
  event: string;
  /** Classifier id, or `unclassified`. */
  category: string;
  classification: Classification;
  path: string;
  values: number;
}

/** The verify leaks of a report, one per destination and point. */
export function leaksOf(report: BatchReport): Leak[] {
  const out: Leak[] = [];
  for (const [key, values] of report.leaks) {
    const [destination = '', source = '', event = '', category = '', classification = 'green', ...path] = key.split('\u0000');
    out.push({ destination, source, event, category, classification: classification as Classification, path: path.join('\u0000'), values });
  }
  return out;
}
