import { createHash } from 'node:crypto';
import type { DataPointSignal } from '../inventory/types.js';
import type { Alert } from './types.js';

/** Link to the point in the inbox; each query value is URL-encoded (paths contain `.`/`[]`, events spaces). */
export function inboxUrl(baseUrl: string, source: string, event: string, path: string): string {
  const e = encodeURIComponent;
  return `${baseUrl.replace(/\/+$/, '')}/inventory/inbox?source=${e(source)}&event=${e(event)}&path=${e(path)}`;
}

/**
 * Deterministic id: the same signal always yields the same alert id, so a retry (in-line or from the
 * outbox, even in another process) carries the id the receiver has already seen.
 */
export function alertId(signal: DataPointSignal): string {
  const p = signal.point;
  const h = createHash('sha256')
    .update(JSON.stringify([signal.kind, p.source, p.event, p.path, p.category, p.classification, signal.detectedAt, signal.leak?.destination ?? null]))
    .digest('hex');
  return `al_${h.slice(0, 32)}`;
}

export function toAlert(signal: DataPointSignal, baseUrl: string): Alert {
  const p = signal.point;
  const alert: Alert = {
    id: alertId(signal),
    kind: signal.kind,
    source: p.source,
    event: p.event,
    path: p.path,
    classification: p.classification,
    category: { id: p.category, dataCategory: p.dataCategory },
    matcher: p.matcher,
    matchedOn: p.matchedOn,
    confidence: p.confidence,
    // Only the record's masked example; the inventory guarantees it is never a raw value.
    example: p.example,
    detectedAt: signal.detectedAt,
    inboxUrl: inboxUrl(baseUrl, p.source, p.event, p.path),
  };
  if (signal.kind === 'leak' && signal.leak) alert.leak = { destination: signal.leak.destination, values: signal.leak.values };
  if (signal.kind === 'dead_letter' && signal.deadLetter) alert.deadLetter = { code: signal.deadLetter.code, count: signal.deadLetter.count };
  if (signal.kind === 'drift' && signal.previous) {
    alert.previous = { category: signal.previous.category, classification: signal.previous.classification };
  }
  return alert;
}

/** Stable per data point (PagerDuty dedup_key): `segmentloom:` + sha256(source|event|path). */
export function pointKey(a: { source: string; event: string; path: string }): string {
  return `segmentloom:${createHash('sha256').update(`${a.source}|${a.event}|${a.path}`).digest('hex')}`;
}

/** Stable id of a message carrying a set of alerts: a re-sent digest keeps its Idempotency-Key. */
export function messageId(alerts: readonly Alert[]): string {
  const ids = alerts.map((a) => a.id).sort();
  return `msg_${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}`;
}
