import type { Detection, PointDetector } from '../detect/types.js';
import type { Container, EventLimits, Leaf, PathNode, SegmentEvent } from '../events/index.js';
import type { BatchReport } from './report.js';
import type { SuppressionCheck } from './suppression.js';

/** One event's pass through the policy engine, fed from the same walk that detects. */
export interface PolicyRunLike {
  observe(node: PathNode, value: Leaf, container: Container, slot: string | number, detection: Detection | null): void;
  finish(): PolicyOutcome;
}

export interface PolicyOutcome {
  dropped: false | { policy: string };
  outputs: ReadonlyArray<{ destination: string; topic: string; json: string }>;
  stats?: unknown;
}

export interface PolicyEngineLike {
  begin(source: string, event: SegmentEvent): PolicyRunLike;
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
