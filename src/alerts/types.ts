import type { Classification, MatchedOn } from '../detect/index.js';

/**
 * One alert about one data point, as every channel renders it. Built from a DataPointSignal; it
 * carries only the record's masked example, never a raw value.
 */
export interface Alert {
  /** Stable for one signal, so a retried or re-sent alert keeps its id and receivers can dedupe. */
  id: string;
  kind: 'new' | 'drift' | 'leak' | 'dead_letter';
  /** For dead_letter: how many events of the source went to the dead-letter path with this code since the last such alert (path is the code). */
  deadLetter?: { code: string; count: number };
  /** For leak: the destination that received values it is not approved for, and how many. */
  leak?: { destination: string; values: number };
  source: string;
  event: string;
  path: string;
  classification: Classification;
  category: { id: string | null; dataCategory: string | null };
  matcher: string | null;
  matchedOn: MatchedOn | null;
  confidence: number;
  /** Masked example copied from the DataPointRecord (never a raw value). */
  example: string | null;
  /** For drift: what the point was classified as before. */
  previous?: { category: string | null; classification: Classification };
  /** ISO-8601 */
  detectedAt: string;
  /** `${baseUrl}/inventory/inbox?source=…&event=…&path=…` */
  inboxUrl: string;
  /** True only for `segmentloom alerts test`. */
  test?: boolean;
}

/** What a receiver answered to one request (http.ts' PostResult). */
export interface ReceiverAnswer {
  status: number;
  body: string;
}

/** The seam every channel type implements; the dispatcher knows nothing else about a channel. */
export interface AlertChannel {
  readonly name: string;
  readonly type: string;
  /**
   * Delivers the alerts (one digest, or one request per alert for per-point channels).
   * Throws DeliveryError on failure; resolves only when the receiver acknowledged everything,
   * with the receivers' answers (status and body) for `segmentloom alerts test` to show.
   */
  send(alerts: Alert[]): Promise<readonly ReceiverAnswer[] | undefined>;
  /** True when the channel makes one request per alert, so rate limiting counts alerts, not messages (none of the built-in channels does now). */
  readonly perAlertRequests?: boolean;
}
