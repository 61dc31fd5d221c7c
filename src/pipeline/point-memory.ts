import { riskOf, type Classification, type ClassifierInfo, type Detection } from '../detect/index.js';
import type { PathNode } from '../events/index.js';
import { eventKey } from './reviewed.js';

/** A data point's classification as the shared inventory holds it (plain data: it crosses to worker threads). */
export interface RememberedPoint {
  source: string;
  event: string;
  path: string;
  /** Classifier id. */
  category: string;
  /** fideslang data category, for a classifier this engine does not know. */
  dataCategory?: string | null;
  classification: Classification;
}

/** What one path node remembers: its points by `source \0 event` (see eventKey). */
interface NodeMemory {
  /** The seed generation merged in; behind the memory's, the node re-reads its seeds. */
  generation: number;
  byEvent: Map<string, Detection>;
}

const SEEDED_MATCHER = 'point memory (shared inventory)';

/**
 * Point memory: once a data point (source, event, path) is classified, every value at it is
 * controlled as that classification, whatever the detector says about the single value. An IBAN
 * the validator does not know, at a point whose other values were IBANs, is still an IBAN.
 *
 * Learned in the hot path: the riskiest detection seen at a point (as the inventory's
 * recommendation, it only ever goes up) is kept on the path node's `memory` field, so a leaf costs
 * a field read and a Map lookup and allocates nothing once the point is known. Seeded from the
 * shared inventory at start (before the first batch) and by polls (what other engine processes
 * found), so memory is shared across processes and kept across restarts.
 *
 * Reviewed classifications are applied after memory (see ReviewedClassifications): a reviewer
 * keeps the last word, and a point reviewed green releases the values of the category reviewed.
 */
export class PointMemory {
  private generation = 0;
  /** Seeds by path, then event key. */
  private readonly seeds = new Map<string, Map<string, RememberedPoint>>();
  private seedCount = 0;
  /** Points learned in this process (not seeded): for tests and summaries. */
  learned = 0;

  /**
   * `maxLearned` bounds what the hot path adds (event names and paths come from producers); past
   * it, a point not yet known is judged on its value and key alone, as before point memory.
   */
  constructor(private readonly maxLearned = 1_000_000) {}

  /** Seeded points held. */
  get size(): number {
    return this.seedCount;
  }

  /**
   * Adds what the shared inventory knows (start-up load, then each poll's changes); returns the
   * points that were new or riskier. Between batches: nodes merge the new seeds on their next leaf.
   */
  seed(points: readonly RememberedPoint[]): RememberedPoint[] {
    const changed: RememberedPoint[] = [];
    for (const point of points) {
      let byEvent = this.seeds.get(point.path);
      if (byEvent === undefined) this.seeds.set(point.path, (byEvent = new Map()));
      const key = eventKey(point.source, point.event);
      const held = byEvent.get(key);
      if (held === undefined) this.seedCount++;
      else if (riskOf(point.classification) <= riskOf(held.classification)) continue;
      byEvent.set(key, point);
      changed.push(point);
    }
    // Unchanged (a poll re-reading what it had): nodes keep what they merged.
    if (changed.length > 0) this.generation++;
    return changed;
  }

  /** Every seed held (for a worker thread starting up). */
  seeded(): RememberedPoint[] {
    const out: RememberedPoint[] = [];
    for (const byEvent of this.seeds.values()) for (const point of byEvent.values()) out.push(point);
    return out;
  }

  /**
   * Hot path. `evidence` is the strongest evidence about this value (detection or key evidence);
   * returns what enforcement acts on: the evidence when it is riskier than what the point is known
   * as, else the point's classification (on a tie the point's own category governs). Learns.
   */
  recall(node: PathNode, key: string, evidence: Detection | null, classifiers: readonly ClassifierInfo[]): Detection | null {
    const memory = this.nodeMemory(node, classifiers);
    const known = memory.byEvent.get(key);
    if (known === undefined) {
      if (evidence === null) return null;
      // A transient node (past the trie's bound) forgets on the next event: nothing to count.
      if (node.cacheable && this.learned < this.maxLearned) {
        memory.byEvent.set(key, evidence);
        this.learned++;
      }
      return evidence;
    }
    if (evidence === null || evidence === known) return known;
    if (riskOf(evidence.classifier.classification) > riskOf(known.classifier.classification)) {
      memory.byEvent.set(key, evidence);
      return evidence;
    }
    return known;
  }

  /** What the point is known as, without learning (for `verify`). */
  peek(node: PathNode, key: string, classifiers: readonly ClassifierInfo[]): Detection | null {
    return this.nodeMemory(node, classifiers).byEvent.get(key) ?? null;
  }

  private nodeMemory(node: PathNode, classifiers: readonly ClassifierInfo[]): NodeMemory {
    let memory = node.memory as NodeMemory | undefined;
    if (memory === undefined) {
      memory = { generation: -1, byEvent: new Map() };
      node.memory = memory;
    }
    if (memory.generation !== this.generation) {
      memory.generation = this.generation;
      const seeds = this.seeds.get(node.path);
      if (seeds !== undefined) for (const [key, point] of seeds) merge(memory.byEvent, key, point, classifiers);
    }
    return memory;
  }
}

function merge(byEvent: Map<string, Detection>, key: string, point: RememberedPoint, classifiers: readonly ClassifierInfo[]): void {
  const held = byEvent.get(key);
  if (held !== undefined && riskOf(held.classifier.classification) >= riskOf(point.classification)) return;
  byEvent.set(key, seededDetection(point, classifiers));
}

function seededDetection(point: RememberedPoint, classifiers: readonly ClassifierInfo[]): Detection {
  const known = classifiers.find((c) => c.id === point.category);
  // The inventory's classification governs even if this engine's classifier is now less risky:
  // lowering a point is a review's decision, not a config change's.
  const classifier: ClassifierInfo = known
    ? known.classification === point.classification
      ? known
      : { ...known, classification: point.classification }
    : { id: point.category, name: 'Data point of the inventory', category: point.dataCategory ?? 'unknown', classification: point.classification };
  return Object.freeze({ classifier, matchedOn: 'key', confidence: 1, matcher: SEEDED_MATCHER });
}

/**
 * Event keys without building a string per event: (source, event name) → key, bounded (names
 * come from producers; past the bound the key is built each time, which is correct, just slower).
 */
export class EventKeys {
  private readonly bySource = new Map<string, Map<string, string>>();
  private count = 0;

  constructor(private readonly max = 50_000) {}

  of(source: string, event: string): string {
    let byEvent = this.bySource.get(source);
    if (byEvent === undefined) this.bySource.set(source, (byEvent = new Map()));
    let key = byEvent.get(event);
    if (key === undefined) {
      key = eventKey(source, event);
      if (this.count < this.max) {
        byEvent.set(event, key);
        this.count++;
      }
    }
    return key;
  }
}
