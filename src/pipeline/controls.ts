import type { Classification, Detection, PointDetector } from '../detect/types.js';
import type { Container, EventLimits, Leaf, PathNode, SegmentEvent } from '../events/index.js';
import type { BatchReport } from './report.js';
import type { SuppressionCheck } from '../storage/suppression/check.js';

/** One event's pass through the policy engine, fed from the same walk that detects. */
export interface PolicyRunLike {
  observe(node: PathNode, value: Leaf, container: Container, slot: string | number, detection: Detection | null): void;
  finish(): PolicyOutcome;
}

export interface PolicyOutcome {
  dropped: false | { policy: string };
  /** `json` is the document as a string, or its UTF-8 bytes once a worker has encoded it. */
  outputs: ReadonlyArray<{ destination: string; topic: string; json: string | Buffer }>;
  stats?: unknown;
}

export interface PolicyEngineLike {
  begin(source: string, event: SegmentEvent): PolicyRunLike;
  /** Destinations in index order (optional: lets the inventory name who received a point). */
  readonly destinations?: ReadonlyArray<{ readonly name: string }>;
  /** The cached plan of a leaf (optional, see PolicyEngine.planFor). */
  planFor?(source: string, node: PathNode, category: string | null, classification: Classification): LeafPlanLike;
  /** The pseudonym of a text under the current hashing key (optional: key controls rename hashed keys with it). */
  pseudonymize?(value: string): string;
}

/** What a leaf becomes at the source and in each destination's output. */
export interface LeafPlanLike {
  readonly passAll: boolean;
  readonly sourceBlock: boolean;
  /** Per destination index: 0 pass, 1 hash, 2 block, 3 removed by the allow-list (empty when passAll). */
  readonly actions: Uint8Array;
}

/**
 * Everything that can change on a hot reload, as one immutable value. The loop reads it once per
 * batch, so a reload swaps detector, policies and suppression together, between batches.
 */
export interface Controls {
  readonly generation: number;
  readonly detector: PointDetector;
  readonly policy: PolicyEngineLike;
  readonly suppression: SuppressionCheck;
  readonly limits: EventLimits;
  readonly deadLetterTarget: string;
  /** Adds a finished run's stats (policy-engine specific) to the batch report. */
  readonly account?: (stats: unknown, report: BatchReport) => void;
}

/** A mutable cell holding the controls in force. */
export class ControlsRef {
  constructor(private value: Controls) {}

  get current(): Controls {
    return this.value;
  }

  swap(next: Controls): Controls {
    const previous = this.value;
    this.value = next;
    return previous;
  }
}
