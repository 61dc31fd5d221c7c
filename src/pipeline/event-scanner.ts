import {
  DEFAULT_LIMITS,
  eventName,
  EventShapeError,
  flatten,
  parseJsonEvent,
  unrepresentableNumber,
  type Container,
  type EventLimits,
  type KeyVisitor,
  type Leaf,
  type LeafVisitor,
  type PathNode,
  type SegmentEvent,
} from '../events/index.js';
import type { Detection, PointDetector } from '../detect/index.js';
import { KeyControls } from '../pipeline/key-controls.js';
import { ValueSampling, type SamplingOptions } from '../detect/index.js';
import { InventoryAggregator, knownUnchecked } from '../inventory/aggregate.js';

export type ScanOutcome = { ok: true; leaves: number } | { ok: false; code: string; reason: string };

/**
 * The detection hot path without a stream around it: decode → flatten → classify every leaf →
 * aggregate the inventory. Used by `segmentloom scan` and the detection benchmark. One visitor is
 * reused for every event, so the per-leaf work allocates nothing.
 */
export class EventScanner {
  readonly aggregator = new InventoryAggregator();
  // One event's leaves, gathered during the walk and recorded only if the whole event is accepted
  // (a rejected event must add nothing to the inventory). Reused arrays: no per-leaf objects.
  private readonly nodes: PathNode[] = [];
  private readonly values: Leaf[] = [];
  private readonly detections: Array<Detection | null> = [];
  // Written by index and never truncated: the arrays keep their capacity from event to event.
  private count = 0;
  private readonly visit: LeafVisitor;
  private readonly keyControls = new KeyControls();
  /** The detector generation key decisions are cached under, read once per event. */
  private keyGeneration = 0;
  /** Whether the event has a number that parsed to ±Infinity or 0 (see parseJsonEvent). */
  private suspectNumber = false;
  /** Keys are visited in the leaf walk (one pass over the event): a key holding personal data is a point of its own. */
  private readonly visitKey: KeyVisitor = (node: PathNode, key: string): void => {
    const found = this.keyControls.keyFinding(this.detector, this.keyGeneration, node);
    if (found === null) return;
    const i = this.count++;
    this.nodes[i] = node;
    this.values[i] = key;
    this.detections[i] = found;
  };

  private readonly sampling: ValueSampling;

  /** `sampling`: validation at known points (see ValueSampling); `{ every: 1 }` checks every value. */
  constructor(
    private readonly detector: PointDetector,
    private readonly limits: EventLimits = DEFAULT_LIMITS,
    sampling: SamplingOptions = {},
  ) {
    this.sampling = new ValueSampling(sampling);
    this.visit = (node: PathNode, value: Leaf, container: Container) => {
      const i = this.count++;
      this.nodes[i] = node;
      this.values[i] = value;
      if (typeof value === 'number' && (value === 0 || !Number.isFinite(value))) this.suspectNumber = true;
      // Empty values carry nothing (detect says null): a known point's detection is not theirs.
      this.detections[i] = (value !== null && value !== '' && knownUnchecked(node, this.sampling)) || this.detector.detect(node, value, container);
    };
  }

  scanText(text: string | Uint8Array, source: string): ScanOutcome {
    const decoded = parseJsonEvent(text, this.limits);
    if (!decoded.ok) return decoded;
    return this.scanEvent(decoded.event, source, decoded.text);
  }

  /** `text`: the JSON the event was parsed from, still to be checked for unrepresentable numbers (see parseJsonEvent). */
  scanEvent(event: SegmentEvent, source: string, text: string | null = null): ScanOutcome {
    this.count = 0;
    this.suspectNumber = false;
    this.detector.beginEvent?.(event, source);
    // Personal data in the event name or in keys: reported, and never shown in a name or a path.
    this.keyControls.normaliseName(this.detector, event);
    const bucket = this.aggregator.bucket(source, eventName(event));
    const root = bucket.trie.rootFor(event.type);
    let leaves: number;
    try {
      this.keyGeneration = this.keyControls.generationOf(this.detector);
      // Each (source, event name) has its own trie: the inventory counters live on its nodes.
      flatten(root, event, this.visit, this.limits, this.visitKey);
      leaves = this.count;
    } catch (err) {
      if (err instanceof EventShapeError) {
        this.values.fill(null, 0, this.count);
        return { ok: false, code: err.code, reason: err.message };
      }
      throw err;
    }
    const unrepresentable = text !== null && this.suspectNumber ? unrepresentableNumber(text) : null;
    if (unrepresentable !== null) {
      this.values.fill(null, 0, this.count);
      return { ok: false, code: 'unrepresentable_number', reason: unrepresentable };
    }
    const at = eventTime(event);
    for (let i = 0; i < leaves; i++) {
      bucket.observe(this.nodes[i]!, this.values[i]!, this.detections[i]!, at);
      // Raw values do not outlive their event.
      this.values[i] = null;
    }
    return { ok: true, leaves };
  }
}

const TIME_FIELDS = ['timestamp', 'originalTimestamp', 'receivedAt', 'sentAt'] as const;

/** When an event happened: its `timestamp` (or `originalTimestamp`, `receivedAt`), else now. */
export function eventTime(event: SegmentEvent): number {
  for (const field of TIME_FIELDS) {
    const value = event[field];
    if (typeof value === 'string') {
      const ms = parseUtcTimestamp(value);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return Date.now();
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fff]Z`, what Segment libraries send, read by character codes (once per
 * event); any other form goes to Date.parse.
 */
export function parseUtcTimestamp(text: string): number {
  const n = text.length;
  if (
    (n === 20 || n === 24) &&
    text.charCodeAt(n - 1) === 90 &&
    text.charCodeAt(10) === 84 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(13) === 58 &&
    text.charCodeAt(16) === 58
  ) {
    // Plain locals, no array: this runs once per event.
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    const ms = n === 24 && text.charCodeAt(19) === 46 ? digits(text, 20, 3) : 0;
    // NaN fails every comparison, so a non-digit anywhere falls through to Date.parse.
    // Years below 100 go to Date.parse: Date.UTC would read them as 19xx.
    if (year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60 && ms >= 0) {
      return Date.UTC(year, month - 1, day, hour, minute, second, ms);
    }
  }
  return Date.parse(text);
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}
