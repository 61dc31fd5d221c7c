import type { Classification, Detection, PointDetector } from '../detect/index.js';
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
  /** The event's JSON text after source-level blocks, when an output is exactly it (see EnforcementResult.plain). */
  plain?: string;
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

/**
 * An optional observer of the walk (the shared inventory, reviewed classifications). Called in
 * walk order for every event; implementations gather into reused arrays (nothing per leaf).
 */
export interface WalkHook {
  /** Before an event's walk; `name` is its event name (track name, else the call type). */
  begin(controls: Controls, source: string, event: SegmentEvent, name: string): void;
  /**
   * Per leaf: records it and returns the detection enforcement acts on. `detection` is the
   * detector's about the value, `enforced` what point memory and key evidence made of it; a
   * reviewed classification may replace that.
   */
  leaf(node: PathNode, value: Leaf, detection: Detection | null, enforced: Detection | null): Detection | null;
  /** A reviewed classification of a leaf of the event being walked, without recording it (for verify). */
  review?(node: PathNode, detection: Detection | null): Detection | null;
  /** The walk succeeded: what the leaves recorded since `begin` led to. */
  end(outcome: PolicyOutcome): void;
  /** The walk failed (the event is dead-lettered): forget what was recorded since `begin`. */
  abort(): void;
}
