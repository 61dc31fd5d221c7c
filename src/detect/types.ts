import type { Container, Leaf, PathNode } from '../events/index.js';

export type Classification = 'red' | 'yellow' | 'green';
export const CLASSIFICATIONS: readonly Classification[] = ['green', 'yellow', 'red'];

/** Orders classifications by risk: green 0 < yellow 1 < red 2. */
export function riskOf(classification: Classification): number {
  return classification === 'red' ? 2 : classification === 'yellow' ? 1 : 0;
}

export type MatchedOn = 'key' | 'value' | 'key+value';

/** What the rest of Segmentloom needs to know about a classifier. */
export interface ClassifierInfo {
  id: string;
  name: string;
  /** fideslang data category, e.g. `user.contact.email`. */
  category: string;
  classification: Classification;
}

/** One explainable decision about one leaf value. */
export interface Detection {
  classifier: ClassifierInfo;
  matchedOn: MatchedOn;
  /** 0..1 */
  confidence: number;
  /** Which matcher fired and why, e.g. `key synonym "emial"`, `value validator luhn`. Never contains the value. */
  matcher: string;
  /**
   * Other categories the same value carries (a transcript with a card number and an email),
   * riskiest first; `classifier` is the riskiest of all and governs enforcement. Absent: one only.
   */
  also?: readonly ClassifierInfo[];
}

/** Classifies leaves. Key decisions are cached per PathNode; values are checked per call. */
export interface PointDetector {
  /** `container`: the object holding the leaf, for the few keys whose siblings say what the value is (detect/sibling.ts). */
  detect(node: PathNode, value: Leaf, container?: Container): Detection | null;
  /**
   * Key evidence for enforcement: the red classifier this leaf's key strongly names, when the value
   * could carry such data (a string or a number), even if the value contradicts the key. Detection
   * (`detect`) and the inventory still judge the value; enforcement never releases it on that doubt.
   */
  keyEvidence?(node: PathNode, value: Leaf, container?: Container): Detection | null;
  /** Per-event context read once before the event's leaves (its region, for national-format phones). */
  beginEvent?(event: unknown, source: string): void;
  /** Value detection on a text that is not a value (a property key, an event name): the value scan alone, no key context. */
  scanText?(text: string): Detection | null;
  readonly classifiers: readonly ClassifierInfo[];
}
