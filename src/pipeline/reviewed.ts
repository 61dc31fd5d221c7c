import { riskOf, type Classification, type ClassifierInfo, type Detection } from '../detect/index.js';
import type { PathNode } from '../events/index.js';

/** A reviewer's decision about one data point (plain data: it crosses to worker threads). */
export interface ReviewedPoint {
  source: string;
  event: string;
  path: string;
  /** The category the point was recommended as when reviewed (null: no personal data found). */
  category: string | null;
  classification: Classification;
}

interface Decision {
  category: string | null;
  classification: Classification;
  risk: number;
  /** Detection with the reviewed classification, per detected classifier id: built once. */
  derived: Map<string, Detection> | undefined;
  /** For a leaf the detector found nothing in but a reviewer marked riskier than green. */
  synthetic: Detection | undefined;
}

/** `source \0 event`: the key of a point within its path. */
export function eventKey(source: string, event: string): string {
  return `${source}\u0000${event}`;
}

const NOTHING_HERE: ReadonlyMap<string, Decision> = new Map();

/**
 * One generation of reviewed classifications, immutable once built. Enforcement asks it per leaf;
 * the lookups are cached per PathNode for this generation, so a leaf costs a WeakMap lookup and a
 * Map lookup and allocates nothing. A new generation (after a review changes) starts with empty
 * caches and is swapped in between batches.
 *
 * Which decisions apply:
 *  - a reviewed classification riskier than the detector's always applies (fail closed);
 *  - a less risky one applies only to the category the reviewer saw: data of another kind at the
 *    same path keeps the detector's classification until someone reviews it;
 *  - a leaf with no detection takes a riskier reviewed classification under the reviewed category.
 */
export class ReviewedClassifications {
  readonly size: number;
  private readonly byPath = new Map<string, Map<string, Decision>>();
  private readonly nodes = new WeakMap<PathNode, ReadonlyMap<string, Decision>>();

  constructor(points: readonly ReviewedPoint[]) {
    for (const p of points) {
      let byEvent = this.byPath.get(p.path);
      if (byEvent === undefined) this.byPath.set(p.path, (byEvent = new Map()));
      byEvent.set(eventKey(p.source, p.event), {
        category: p.category,
        classification: p.classification,
        risk: riskOf(p.classification),
        derived: undefined,
        synthetic: undefined,
      });
    }
    this.size = points.length;
  }

  /** The detection the policy engine should see for a leaf of `node` in an event keyed `key`. */
  enforce(node: PathNode, key: string, detection: Detection | null, classifiers: readonly ClassifierInfo[]): Detection | null {
    let here = this.nodes.get(node);
    if (here === undefined) {
      here = this.byPath.get(node.path) ?? NOTHING_HERE;
      this.nodes.set(node, here);
    }
    if (here.size === 0) return detection;
    const decision = here.get(key);
    if (decision === undefined) return detection;
    if (detection === null) {
      if (decision.risk === 0) return null;
      return (decision.synthetic ??= synthetic(decision, classifiers));
    }
    const classifier = detection.classifier;
    if (classifier.classification === decision.classification) return detection;
    if (decision.risk < riskOf(classifier.classification) && classifier.id !== decision.category) return detection;
    const derived = (decision.derived ??= new Map());
    let reviewed = derived.get(classifier.id);
    if (reviewed === undefined) {
      reviewed = { ...detection, classifier: { ...classifier, classification: decision.classification } };
      derived.set(classifier.id, reviewed);
    }
    return reviewed;
  }
}

function synthetic(decision: Decision, classifiers: readonly ClassifierInfo[]): Detection {
  const known = decision.category === null ? undefined : classifiers.find((c) => c.id === decision.category);
  const classifier: ClassifierInfo = known
    ? { ...known, classification: decision.classification }
    : // No category to name: an id no policy can select by category, so only classification
      // selectors (and allow-lists, which then leave it out) act on it.
      { id: decision.category ?? 'reviewed', name: 'Reviewed data point', category: 'reviewed', classification: decision.classification };
  return { classifier, matchedOn: 'key', confidence: 1, matcher: 'reviewed classification' };
}
