import {
  DEFAULT_LIMITS,
  decodeJsonEvent,
  eventName,
  EventShapeError,
  flatten,
  PathTrie,
  type EventLimits,
  type Leaf,
  type LeafVisitor,
  type PathNode,
  type SegmentEvent,
} from '../events/index.js';
import type { PointDetector } from '../detect/types.js';
import { InventoryAggregator, type EventBucket } from './aggregate.js';

export type ScanOutcome = { ok: true; leaves: number } | { ok: false; code: string; reason: string };

/**
 * The detection hot path without a stream around it: decode → flatten → classify every leaf →
 * aggregate the inventory. Used by `segmentloom scan` and the detection benchmark. One visitor is
 * reused for every event, so the per-leaf work allocates nothing.
 */
export class EventScanner {
  readonly aggregator = new InventoryAggregator();
  readonly trie: PathTrie;
  private bucket: EventBucket | null = null;
  private at = 0;
  private readonly visit: LeafVisitor;

  constructor(
    private readonly detector: PointDetector,
    private readonly limits: EventLimits = DEFAULT_LIMITS,
    trie?: PathTrie,
  ) {
    this.trie = trie ?? new PathTrie();
    this.visit = (node: PathNode, value: Leaf) => {
      this.bucket!.observe(node, value, this.detector.detect(node, value), this.at);
    };
  }

  scanText(text: string | Uint8Array, source: string): ScanOutcome {
    const decoded = decodeJsonEvent(text, this.limits);
    if (!decoded.ok) return decoded;
    return this.scanEvent(decoded.event, source);
  }

  scanEvent(event: SegmentEvent, source: string): ScanOutcome {
    this.bucket = this.aggregator.bucket(source, eventName(event));
    this.at = eventTime(event);
    try {
      return { ok: true, leaves: flatten(this.trie.root, event, this.visit, this.limits) };
    } catch (err) {
      if (err instanceof EventShapeError) return { ok: false, code: err.code, reason: err.message };
      throw err;
    }
  }
}

/** When an event happened: its `timestamp` (or `originalTimestamp`, `receivedAt`), else now. */
export function eventTime(event: SegmentEvent): number {
  for (const field of ['timestamp', 'originalTimestamp', 'receivedAt', 'sentAt'] as const) {
    const value = event[field];
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return Date.now();
}
