import type { Classification, MatchedOn } from '../detect/index.js';
import type { CategoryCount, DataPointRecord } from './types.js';

export type InventoryStatus = 'inbox' | 'inventory';

/** Identifies one data point. */
export interface PointKey {
  source: string;
  event: string;
  path: string;
}

/** What a process observed about a data point since its last flush. */
export interface DataPointObservation extends DataPointRecord {
  /** Destinations that actually received this point (after enforcement). */
  destinations?: readonly string[] | undefined;
  /** Subject hash (SubjectHasher.subjectHash) of the event the masked example came from. */
  exampleSubject?: string | null | undefined;
}

/** A data point as stored in the shared inventory. `classification` is the recommended one. */
export interface StoredDataPoint extends DataPointRecord {
  reviewedClassification: Classification | null;
  /** reviewed ?? recommended: what enforcement should use. */
  effectiveClassification: Classification;
  status: InventoryStatus;
  destinations: string[];
  reviewedAt: string | null;
  /** When the point last drifted (migration 014), and how; drifted since review while later than reviewedAt. */
  driftedAt: string | null;
  driftReason: DriftReason | null;
}

/** classification: riskier or newly categorised; category: one it never carried; validation: its key's values stopped passing the validator. */
export type DriftReason = 'classification' | 'category' | 'validation';

export const POINT_COLUMNS = `source, event, path, category, data_category, recommended, reviewed, status, matched_on,
  confidence, matcher, count, first_seen, last_seen, destinations, example, reviewed_at, categories, drifted_at, drift_reason`;

export interface PointRow {
  source: string;
  event: string;
  path: string;
  category: string | null;
  data_category: string | null;
  recommended: Classification;
  reviewed: Classification | null;
  status: InventoryStatus;
  matched_on: MatchedOn | null;
  confidence: number;
  matcher: string | null;
  count: number | string;
  first_seen: Date;
  last_seen: Date;
  destinations: string[] | null;
  example: string | null;
  reviewed_at: Date | null;
  /** jsonb: drivers return it parsed; a string is parsed here. */
  categories?: CategoryCount[] | string | null;
  drifted_at?: Date | null;
  drift_reason?: DriftReason | null;
}

export function toStoredPoint(row: PointRow): StoredDataPoint {
  return {
    source: row.source,
    event: row.event,
    path: row.path,
    category: row.category,
    dataCategory: row.data_category,
    classification: row.recommended,
    reviewedClassification: row.reviewed,
    effectiveClassification: row.reviewed ?? row.recommended,
    status: row.status,
    matchedOn: row.matched_on,
    confidence: Number(row.confidence),
    matcher: row.matcher,
    count: Number(row.count),
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    destinations: row.destinations ?? [],
    example: row.example,
    reviewedAt: row.reviewed_at ? row.reviewed_at.toISOString() : null,
    driftedAt: row.drifted_at ? row.drifted_at.toISOString() : null,
    driftReason: row.drift_reason ?? null,
    categories: typeof row.categories === 'string' ? (JSON.parse(row.categories) as CategoryCount[]) : (row.categories ?? []),
  };
}

/** The record part only (what signals carry). */
export function toRecord(point: StoredDataPoint): DataPointRecord {
  const { source, event, path, category, dataCategory, classification, matchedOn, confidence, matcher, count, firstSeen, lastSeen, example, categories } =
    point;
  return {
    source,
    event,
    path,
    category,
    dataCategory,
    classification,
    matchedOn,
    confidence,
    matcher,
    count,
    firstSeen,
    lastSeen,
    example,
    categories: categories ?? [],
  };
}

export function pointKey(p: PointKey): string {
  return `${p.source}\u0000${p.event}\u0000${p.path}`;
}
