import type { Leaf, PathNode } from '../events/index.js';
import { riskOf, type Detection } from '../detect/types.js';
import { exampleOf } from './mask.js';
import type { DataPointRecord } from './types.js';

interface PointStats {
  node: PathNode;
  count: number;
  first: number;
  last: number;
  best: Detection | null;
  example: string | null;
}

/** The data points of one (source, event name): looked up once per event, then per leaf by node. */
export class EventBucket {
  readonly points = new Map<PathNode, PointStats>();
  constructor(
    readonly source: string,
    readonly event: string,
  ) {}

  /** Hot path: one map lookup, no allocation unless the point is new or its best decision changes. */
  observe(node: PathNode, value: Leaf, detection: Detection | null, at: number): void {
    let stats = this.points.get(node);
    if (stats === undefined) {
      stats = { node, count: 0, first: at, last: at, best: null, example: null };
      this.points.set(node, stats);
    }
    stats.count++;
    if (at < stats.first) stats.first = at;
    if (at > stats.last) stats.last = at;
    if (detection !== null) {
      if (stats.best === null || outranks(detection, stats.best)) {
        stats.best = detection;
        stats.example = exampleOf(value, true);
      }
    } else if (stats.example === null && value !== null) {
      stats.example = exampleOf(value, false);
    }
  }
}

/**
 * Aggregates what a stream of events implies for the data inventory: one record per (source,
 * event name, path) with the riskiest decision seen there. A point that ever carried personal data
 * is reported as such, with a masked example of that value.
 */
export class InventoryAggregator {
  private readonly buckets = new Map<string, Map<string, EventBucket>>();

  bucket(source: string, event: string): EventBucket {
    let bySource = this.buckets.get(source);
    if (bySource === undefined) this.buckets.set(source, (bySource = new Map()));
    let bucket = bySource.get(event);
    if (bucket === undefined) bySource.set(event, (bucket = new EventBucket(source, event)));
    return bucket;
  }

  /** Records sorted riskiest first, then by source, event and path. */
  records(): DataPointRecord[] {
    const out: DataPointRecord[] = [];
    for (const bySource of this.buckets.values()) {
      for (const bucket of bySource.values()) {
        for (const stats of bucket.points.values()) out.push(toRecord(bucket, stats));
      }
    }
    return out.sort(compareRecords);
  }
}

export function compareRecords(a: DataPointRecord, b: DataPointRecord): number {
  return (
    riskOf(b.classification) - riskOf(a.classification) ||
    a.source.localeCompare(b.source) ||
    a.event.localeCompare(b.event) ||
    a.path.localeCompare(b.path)
  );
}

function outranks(a: Detection, b: Detection): boolean {
  const risk = riskOf(a.classifier.classification) - riskOf(b.classifier.classification);
  return risk !== 0 ? risk > 0 : a.confidence > b.confidence;
}

function toRecord(bucket: EventBucket, stats: PointStats): DataPointRecord {
  const best = stats.best;
  return {
    source: bucket.source,
    event: bucket.event,
    path: stats.node.path,
    category: best?.classifier.id ?? null,
    dataCategory: best?.classifier.category ?? null,
    classification: best?.classifier.classification ?? 'green',
    matchedOn: best?.matchedOn ?? null,
    confidence: best?.confidence ?? 0,
    matcher: best?.matcher ?? null,
    count: stats.count,
    firstSeen: new Date(stats.first).toISOString(),
    lastSeen: new Date(stats.last).toISOString(),
    example: stats.example,
  };
}
