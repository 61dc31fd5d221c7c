import type { Detection } from '../detect/index.js';
import type { Leaf, PathNode } from '../events/index.js';
import { categoryCounts, decisionFields, noteCategories, outranks, OVERFLOW_PATH, type CategorySeen } from '../inventory/aggregate.js';
import { maskValue } from '../inventory/mask.js';
import type { DataPointObservation } from '../inventory/store.js';
import type { LeafPlanLike } from './controls.js';

/** Plan actions under which a destination's output still carries the value (hashed counts). */
const PASS = 0;
const HASH = 1;

interface PointStats {
  /** The point's node; for the overflow point, the last node folded into it. */
  node: PathNode;
  count: number;
  best: Detection | null;
  example: string | null;
  exampleSubject: string | null;
  /** Per destination index: 1 once an output carried the value. */
  received: Uint8Array;
  /** The enforced detection the cached plan below was looked up for (identity). */
  planFor: Detection | null | undefined;
  plan: LeafPlanLike | null;
  /** Every category the point's values carried in this batch. */
  categories: CategorySeen[] | null;
}

/**
 * The points of one (source, event name) in the current batch. Nodes past the path trie's bound
 * are transient (a new object per event, never found in `points` again): their leaves are folded
 * into one `overflow` point, recorded as OVERFLOW_PATH, so such an event adds no entry.
 */
export class ObservationBucket {
  readonly points = new Map<PathNode, PointStats>();
  overflow: PointStats | null = null;
  constructor(
    readonly source: string,
    readonly event: string,
    private readonly destinations: number,
  ) {}

  /**
   * One leaf of an accepted event. `outputs` are the destination indexes the event was written
   * to; the leaf counts as received by those whose output kept its value (passed or hashed).
   * `subject` gives the event's subject hash, asked only when the leaf's value becomes the example.
   */
  observe(
    node: PathNode,
    value: Leaf,
    detection: Detection | null,
    enforced: Detection | null,
    plan: (node: PathNode, enforced: Detection | null) => LeafPlanLike | null,
    outputs: readonly number[],
    outputCount: number,
    subject: () => string | null,
  ): void {
    let stats = this.points.get(node);
    if (stats === undefined) {
      if (node.cacheable) {
        stats = this.newStats(node);
        this.points.set(node, stats);
      } else {
        stats = this.overflow ??= this.newStats(node);
        // Its plan was looked up for another node: look it up again below.
        if (stats.node !== node) {
          stats.node = node;
          stats.planFor = undefined;
        }
      }
    }
    stats.count++;
    if (detection !== null) stats.categories = noteCategories(stats.categories, detection, 0);
    if (detection !== null && (stats.best === null || outranks(detection, stats.best))) {
      stats.best = detection;
      this.takeExample(stats, value, subject);
    } else if (stats.example === null && value !== null) {
      this.takeExample(stats, value, subject);
    }
    if (outputCount === 0) return;
    // Plans depend on (node, enforced detection), so consecutive leaves of a point reuse the lookup.
    if (stats.planFor !== enforced) {
      stats.planFor = enforced;
      stats.plan = plan(node, enforced);
    }
    const leafPlan = stats.plan;
    for (let k = 0; k < outputCount; k++) {
      const d = outputs[k]!;
      if (leafPlan === null || leafPlan.passAll) stats.received[d] = 1;
      else if (!leafPlan.sourceBlock) {
        const action = leafPlan.actions[d] ?? PASS;
        if (action === PASS || action === HASH) stats.received[d] = 1;
      }
    }
  }

  private newStats(node: PathNode): PointStats {
    return {
      node,
      count: 0,
      best: null,
      example: null,
      exampleSubject: null,
      received: new Uint8Array(this.destinations),
      planFor: undefined,
      plan: null,
      categories: null,
    };
  }

  private takeExample(stats: PointStats, value: Leaf, subject: () => string | null): void {
    // Masked for every point, classified or not: an undetected value can still be personal data,
    // and the shared inventory is read by many people.
    stats.example = value === null ? null : maskValue(value, stats.best !== null, stats.best?.classifier.classification === 'red');
    stats.exampleSubject = stats.example === null ? null : subject();
  }
}

/**
 * A batch's data-point observations for the shared inventory: folded in memory per (source,
 * event, path) while the batch is processed, handed over as a handful of records at its end, so
 * the inventory costs no database work per event.
 */
export class BatchObservations {
  private readonly buckets = new Map<string, Map<string, ObservationBucket>>();
  /** First and last seen of the batch's points: when the engine saw them, not client clocks. */
  private readonly seenAt: string;

  constructor(at: Date = new Date()) {
    this.seenAt = at.toISOString();
  }

  bucket(source: string, event: string, destinations: number): ObservationBucket {
    let bySource = this.buckets.get(source);
    if (bySource === undefined) this.buckets.set(source, (bySource = new Map()));
    let bucket = bySource.get(event);
    if (bucket === undefined) bySource.set(event, (bucket = new ObservationBucket(source, event, destinations)));
    return bucket;
  }

  /** The batch's records; `names` maps destination indexes to names. */
  records(names: readonly string[]): DataPointObservation[] {
    const out: DataPointObservation[] = [];
    for (const bySource of this.buckets.values()) {
      for (const bucket of bySource.values()) {
        for (const stats of bucket.points.values()) out.push(this.record(bucket, stats, stats.node.path, names));
        if (bucket.overflow !== null) out.push(this.record(bucket, bucket.overflow, OVERFLOW_PATH, names));
      }
    }
    return out;
  }

  private record(bucket: ObservationBucket, stats: PointStats, path: string, names: readonly string[]): DataPointObservation {
    const destinations: string[] = [];
    for (let d = 0; d < stats.received.length; d++) if (stats.received[d] === 1 && names[d] !== undefined) destinations.push(names[d]!);
    return {
      source: bucket.source,
      event: bucket.event,
      path,
      ...decisionFields(stats.best),
      count: stats.count,
      firstSeen: this.seenAt,
      lastSeen: this.seenAt,
      example: stats.example,
      exampleSubject: stats.exampleSubject,
      destinations: destinations.sort(),
      // Seen now: the batch's points carry the engine's clock, like firstSeen and lastSeen.
      categories: categoryCounts(stats.categories, stats.best).map((c) => ({ ...c, lastSeen: this.seenAt })),
    };
  }
}
