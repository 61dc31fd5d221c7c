import { NodeBudget, PathTrie, type Leaf, type PathNode } from '../events/index.js';
import { riskOf, type ClassifierInfo, type Detection } from '../detect/index.js';
import type { ValueSampling } from '../detect/index.js';
import { maskValue } from './mask.js';
import type { CategoryCount, DataPointRecord } from './types.js';

interface PointStats {
  /** For the overflow point, the first node folded into it (its path is OVERFLOW_PATH). */
  node: PathNode;
  overflow: boolean;
  count: number;
  first: number;
  last: number;
  best: Detection | null;
  example: string | null;
  /** Values checked in full here (sampled validation, see ValueSampling). */
  checked: number;
  /** Values still to be taken as `best` before the next full check. */
  skips: number;
  /** Sampling back-off: the interval is `every << level` (see ValueSampling.skips). */
  level: number;
  /** Sampled checks whose result observe has yet to read (to back off or reset). */
  pending: number;
  /** Every category seen here (most points have one). */
  categories: CategorySeen[] | null;
}

/** A point's first statistics (one shape for every point: the hot path stays monomorphic). */
function newStats(node: PathNode, overflow: boolean, at: number): PointStats {
  return { node, overflow, count: 0, first: at, last: at, best: null, example: null, checked: 0, skips: 0, level: 0, pending: 0, categories: null };
}

export interface CategorySeen {
  info: ClassifierInfo;
  count: number;
  last: number;
}

/**
 * The data points of one (source, event name). It owns a path trie, so an event of this name is
 * walked through it and each point's counters sit on its node: no lookup per leaf. Past the trie's
 * bound, nodes are transient (a new object per event): their leaves share one point, OVERFLOW_PATH.
 */
export class EventBucket {
  readonly points: PointStats[] = [];
  readonly trie: PathTrie;
  private overflow: PointStats | null = null;
  constructor(
    readonly source: string,
    readonly event: string,
    maxPaths?: number,
    budget: NodeBudget | null = null,
  ) {
    this.trie = new PathTrie(maxPaths, budget);
  }

  /** Hot path: no allocation unless the point is new or its best decision changes. `node` must be of this bucket's trie. */
  observe(node: PathNode, value: Leaf, detection: Detection | null, at: number): void {
    let stats = node.data as PointStats | undefined;
    if (stats === undefined) {
      if (node.cacheable) {
        stats = newStats(node, false, at);
        node.data = stats;
        this.points.push(stats);
      } else if (this.overflow === null) {
        stats = this.overflow = newStats(node, true, at);
        this.points.push(stats);
      } else {
        stats = this.overflow;
      }
    }
    stats.count++;
    if (at < stats.first) stats.first = at;
    if (at > stats.last) stats.last = at;
    if (stats.pending > 0) {
      // A sampled check: one that taught nothing (no value, or only categories known here) lets
      // the point be checked less often; a new category or a riskier value resets the interval.
      stats.pending--;
      stats.level = detection === null || detection === stats.best || knowsAll(stats.categories, detection) ? Math.min(stats.level + 1, MAX_LEVEL) : 0;
    }
    if (detection !== null) {
      stats.categories = noteCategories(stats.categories, detection, at);
      // The point's own best (a value taken as known, see knownUnchecked) never outranks itself.
      if (detection !== stats.best && (stats.best === null || outranks(detection, stats.best))) {
        stats.best = detection;
        stats.example = maskValue(value, true, detection.classifier.classification === 'red');
      }
    } else if (stats.example === null && value !== null) {
      // Masked even when nothing was detected: an undetected value can still be personal data.
      stats.example = maskValue(value, false);
    }
  }
}

/**
 * Hot path, sampled validation (see ValueSampling): the point's riskiest detection when the next
 * value at `node` may be taken as it without a check, else null (check the value). Only a point
 * of the trie with a detection past its warm-up is ever sampled: nothing is taken as clean.
 */
export function knownUnchecked(node: PathNode, sampling: ValueSampling): Detection | null {
  const stats = node.data as PointStats | undefined;
  if (stats === undefined || stats.overflow) return null;
  if (stats.best !== null && stats.checked >= sampling.warmup) {
    if (stats.skips > 0) {
      stats.skips--;
      return stats.best;
    }
    stats.skips = sampling.skips(stats.level);
    stats.pending++;
  }
  stats.checked++;
  return null;
}

/**
 * Aggregates what a stream of events implies for the data inventory: one record per (source,
 * event name, path) with the riskiest decision seen there. A point that ever carried personal data
 * is reported as such, with a masked example of that value.
 */
export class InventoryAggregator {
  private readonly buckets = new Map<string, Map<string, EventBucket>>();
  private count = 0;
  private readonly paths: NodeBudget;

  /**
   * Event names come from producers: past `maxBuckets` new names share one overflow bucket, so
   * memory stays bounded. `maxPaths` bounds each bucket's path trie (see EventBucket), and
   * `maxTotalPaths` all of them together (the engine's one trie has the same 200k bound): without
   * it, a thousand names with new keys in every event would hold a thousand full tries.
   */
  constructor(
    private readonly maxBuckets = 50_000,
    private readonly maxPaths?: number,
    maxTotalPaths = 200_000,
  ) {
    this.paths = new NodeBudget(maxTotalPaths);
  }

  /** Path nodes cached across every bucket, and their bound. */
  get pathCount(): { used: number; max: number } {
    return { used: this.paths.size, max: this.paths.max };
  }

  bucket(source: string, event: string): EventBucket {
    let bySource = this.buckets.get(source);
    if (bySource === undefined) this.buckets.set(source, (bySource = new Map()));
    let bucket = bySource.get(event);
    if (bucket === undefined) {
      // Past the bound, new names share one overflow bucket per source (made even at the bound).
      if (this.count >= this.maxBuckets && event !== OVERFLOW_EVENT) return this.bucket(source, OVERFLOW_EVENT);
      bySource.set(event, (bucket = new EventBucket(source, event, this.maxPaths, this.paths)));
      this.count++;
    }
    return bucket;
  }

  /** Records sorted riskiest first, then by source, event and path. */
  records(): DataPointRecord[] {
    const out: DataPointRecord[] = [];
    for (const bySource of this.buckets.values()) {
      for (const bucket of bySource.values()) {
        for (const stats of bucket.points) out.push(toRecord(bucket, stats));
      }
    }
    return out.sort(compareRecords);
  }
}

/** Back-off levels a point can reach (ValueSampling caps the interval at maxEvery anyway). */
const MAX_LEVEL = 24;

/** Whether every category of `detection` was seen at the point before. */
function knowsAll(list: CategorySeen[] | null, detection: Detection): boolean {
  if (list === null || !seen(list, detection.classifier)) return false;
  if (detection.also !== undefined) for (const info of detection.also) if (!seen(list, info)) return false;
  return true;
}

function seen(list: CategorySeen[], info: ClassifierInfo): boolean {
  for (let i = 0; i < list.length; i++) if (list[i]!.info.id === info.id) return true;
  return false;
}

/** Counts one value of a point as carrying every category of `detection`; returns the list (made on first use). */
export function noteCategories(list: CategorySeen[] | null, detection: Detection, at: number): CategorySeen[] {
  const out = list ?? [];
  noteCategory(out, detection.classifier, at);
  if (detection.also !== undefined) for (const info of detection.also) noteCategory(out, info, at);
  return out;
}

/** A linear search: a point carries few categories. */
function noteCategory(list: CategorySeen[], info: ClassifierInfo, at: number): void {
  for (let i = 0; i < list.length; i++) {
    const seen = list[i]!;
    if (seen.info === info || seen.info.id === info.id) {
      seen.count++;
      if (at > seen.last) seen.last = at;
      return;
    }
  }
  list.push({ info, count: 1, last: at });
}

/** Categories riskiest first, then most seen, then by id. */
export function compareCategories(a: CategoryCount, b: CategoryCount): number {
  return riskOf(b.classification) - riskOf(a.classification) || b.count - a.count || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0);
}

function categoriesOf(stats: PointStats): CategoryCount[] {
  return categoryCounts(stats.categories, stats.best);
}

/** The record form of a point's categories: riskiest first, the primary (best) decision leading. */
export function categoryCounts(list: readonly CategorySeen[] | null, best: Detection | null): CategoryCount[] {
  if (list === null) return [];
  const out = list.map((seen) => ({
    category: seen.info.id,
    dataCategory: seen.info.category,
    classification: seen.info.classification,
    count: seen.count,
    lastSeen: new Date(seen.last).toISOString(),
  }));
  out.sort(compareCategories);
  // The point's primary category (the best decision) leads, whatever the counts say.
  const primary = best === null ? -1 : out.findIndex((c) => c.category === best.classifier.id);
  if (primary > 0) out.unshift(...out.splice(primary, 1));
  return out;
}

/** The event name recorded for events past the aggregator's bound on distinct names. */
export const OVERFLOW_EVENT = '(other event names)';

/**
 * The path recorded, per event name, for values at paths past the path trie's bound: such paths
 * are minted by producers (ids or random keys), so they share one point that keeps the riskiest
 * classification and a masked example instead of a row each.
 */
export const OVERFLOW_PATH = '(other paths)';

export function compareRecords(a: DataPointRecord, b: DataPointRecord): number {
  return riskOf(b.classification) - riskOf(a.classification) || byCodeUnit(a.source, b.source) || byCodeUnit(a.event, b.event) || byCodeUnit(a.path, b.path);
}

/** Plain code-unit order: deterministic across locales, and far cheaper than localeCompare. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `a` is the better decision to report for a point than `b`: riskier, then more confident. */
export function outranks(a: Detection, b: Detection): boolean {
  const risk = riskOf(a.classifier.classification) - riskOf(b.classifier.classification);
  return risk !== 0 ? risk > 0 : a.confidence > b.confidence;
}

/** The decision fields of a data-point record, from the best detection seen there (or none: green). */
export function decisionFields(
  best: Detection | null,
): Pick<DataPointRecord, 'category' | 'dataCategory' | 'classification' | 'matchedOn' | 'confidence' | 'matcher'> {
  return {
    category: best?.classifier.id ?? null,
    dataCategory: best?.classifier.category ?? null,
    classification: best?.classifier.classification ?? 'green',
    matchedOn: best?.matchedOn ?? null,
    confidence: best?.confidence ?? 0,
    matcher: best?.matcher ?? null,
  };
}

function toRecord(bucket: EventBucket, stats: PointStats): DataPointRecord {
  return {
    source: bucket.source,
    event: bucket.event,
    path: stats.overflow ? OVERFLOW_PATH : stats.node.path,
    ...decisionFields(stats.best),
    count: stats.count,
    firstSeen: new Date(stats.first).toISOString(),
    lastSeen: new Date(stats.last).toISOString(),
    example: stats.example,
    categories: categoriesOf(stats),
  };
}
