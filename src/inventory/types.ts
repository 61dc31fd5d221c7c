import type { Classification, MatchedOn } from '../detect/index.js';

/**
 * One data point of the inventory: what is known about one (source, event name, path).
 * This is the record `segmentloom scan` prints and the durable inventory stores.
 */
export interface DataPointRecord {
  source: string;
  event: string;
  path: string;
  /** Classifier id (e.g. `email`), or null when no personal data was found. */
  category: string | null;
  /** fideslang data category of that classifier, or null. */
  dataCategory: string | null;
  classification: Classification;
  matchedOn: MatchedOn | null;
  confidence: number;
  /** Which matcher fired (explanation), or null. */
  matcher: string | null;
  count: number;
  /** ISO-8601 */
  firstSeen: string;
  /** ISO-8601 */
  lastSeen: string;
  /** A masked example: never a raw value of a classified data point. */
  example: string | null;
  /**
   * Every category the point carried, riskiest first (then most seen), with counts and when each
   * was last seen; the first is `category`. Absent or empty when nothing was found. Additive: the
   * primary fields above stay what they were.
   */
  categories?: CategoryCount[];
}

/** One category a data point carried: how many of its values held it, and when one last did. */
export interface CategoryCount {
  /** Classifier id. */
  category: string;
  /** fideslang data category. */
  dataCategory: string;
  classification: Classification;
  count: number;
  /** ISO-8601 */
  lastSeen: string;
}

/** Raised once per data point across all engine processes (new), or when a known point starts carrying riskier data (drift). */
export interface DataPointSignal {
  /** `leak`: verify mode found a value a destination is not approved for in its output (see OutputVerifier). */
  kind: 'new' | 'drift' | 'leak' | 'dead_letter';
  /** For leak: the destination that received it, and how many values. */
  leak?: { destination: string; values: number };
  /** For dead_letter: events of this source sent to the dead-letter path with this code (point.path) since the last such alert. */
  deadLetter?: { code: string; count: number };
  point: DataPointRecord;
  /** For drift: what the point was classified as before. */
  previous?: { category: string | null; classification: Classification };
  detectedAt: string;
}
