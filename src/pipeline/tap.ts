import type { Detection } from '../detect/index.js';
import { subjectOf, type Leaf, type PathNode, type SegmentEvent } from '../events/index.js';
import type { DataPointObservation } from '../inventory/store.js';
import { storedHead } from '../storage/events-store.js';
import type { Controls, LeafPlanLike, PolicyOutcome, WalkHook } from './controls.js';
import { BatchObservations } from './observations.js';
import { eventKey, type ReviewedClassifications } from './reviewed.js';

export interface TapOptions {
  /** Keep accepted events (as source-level blocks left them) for the event store. */
  store: boolean;
  /** Fold data-point observations for the shared inventory. */
  inventory: boolean;
  /** Subject hashes of inventory examples, so erasing a subject clears its examples. */
  hasher: { subjectHash(id: string): string } | null;
  /** The reviewed classifications in force; read once per batch, so a new review applies between batches. */
  reviews: () => ReviewedClassifications | null;
}

/** What a batch leaves for the durable side. Plain data: it crosses back from worker threads. */
export interface TapResult {
  /** Batch indexes of the events to store, parallel to `events`. */
  indexes: number[];
  /**
   * Accepted, not dropped events after source-level blocks: storage never sees a blocked field.
   * An event with a messageId comes as its stored head (see storedHead) with its JSON text in
   * `json`: serialized where it was walked (a worker thread), not in the thread that stores it.
   */
  events: SegmentEvent[];
  /**
   * Parallel to `events`: the event's JSON text, or null (no messageId: stored whole). From a
   * worker it arrives as UTF-8 bytes inside the batch's outcome buffer (see packOutcomes).
   */
  json: (string | Uint8Array | null)[];
  /** The batch's data points, folded per (source, event, path). */
  observations: DataPointObservation[];
}

/**
 * One batch's collection. Batches of different partitions may be processed concurrently (each
 * awaits between events), so everything per batch lives here, not in the tap.
 */
export interface TapBatch {
  /** The reviewed classifications in force for the whole batch. */
  readonly reviews: ReviewedClassifications | null;
  readonly observations: BatchObservations;
  readonly indexes: number[];
  readonly events: SegmentEvent[];
  readonly json: (string | null)[];
  /** Destination names and indexes of the batch's controls. */
  generation: number;
  names: string[];
  readonly indexOf: Map<string, number>;
}

/**
 * The walk hook of a stateful engine: applies reviewed classifications to enforcement, gathers
 * each event's leaves and, once the event is accepted, folds them into the batch's inventory
 * observations (with the destinations that actually received each point). Leaves are gathered in
 * reused arrays and only folded after the walk succeeded, so a dead-lettered event adds nothing.
 * A walk is synchronous: `use(batch)` right before it says which batch it belongs to.
 */
export class BatchTap implements WalkHook {
  private batch: TapBatch | null = null;

  // The event being walked.
  private controls: Controls | null = null;
  private source = '';
  private name = '';
  private key = '';
  private event: SegmentEvent | null = null;
  private subjectHash: string | null | undefined = undefined;
  private readonly nodes: PathNode[] = [];
  private readonly values: Leaf[] = [];
  private readonly detections: Array<Detection | null> = [];
  private readonly enforced: Array<Detection | null> = [];
  private count = 0;
  private readonly outputs: number[] = [];

  constructor(private readonly options: TapOptions) {}

  startBatch(): TapBatch {
    const reviews = this.options.reviews();
    return {
      reviews: reviews !== null && reviews.size > 0 ? reviews : null,
      observations: new BatchObservations(),
      indexes: [],
      events: [],
      json: [],
      generation: -1,
      names: [],
      indexOf: new Map(),
    };
  }

  /** The batch the next walk belongs to. */
  use(batch: TapBatch): void {
    this.batch = batch;
  }

  /**
   * An event the walk accepted and no policy dropped: it goes to the event store. `plain` is its
   * text as enforcement already serialized it for a destination that sees it unchanged (the same
   * string, so a worker hands the bytes over once for both; see packOutcomes).
   */
  keep(batch: TapBatch, index: number, event: SegmentEvent, plain?: string): void {
    if (!this.options.store) return;
    batch.indexes.push(index);
    // Without a messageId the store derives one that must be part of what it seals: kept whole.
    const serialized = typeof event.messageId === 'string' && event.messageId !== '';
    batch.events.push(serialized ? storedHead(event) : event);
    batch.json.push(serialized ? (plain ?? JSON.stringify(event)) : null);
  }

  finishBatch(batch: TapBatch): TapResult {
    if (this.batch === batch) this.batch = null;
    return {
      indexes: batch.indexes,
      events: batch.events,
      json: batch.json,
      observations: this.options.inventory ? batch.observations.records(batch.names) : [],
    };
  }

  begin(controls: Controls, source: string, event: SegmentEvent, name: string): void {
    const batch = this.batch!;
    this.controls = controls;
    this.source = source;
    this.name = name;
    this.event = event;
    this.subjectHash = undefined;
    this.count = 0;
    if (batch.reviews !== null) this.key = eventKey(source, name);
    if (controls.generation !== batch.generation) route(batch, controls);
  }

  leaf(node: PathNode, value: Leaf, detection: Detection | null, remembered: Detection | null): Detection | null {
    const reviews = this.batch!.reviews;
    const enforced = reviews === null ? remembered : reviews.enforce(node, this.key, remembered, this.controls!.detector.classifiers);
    if (this.options.inventory) {
      const i = this.count++;
      this.nodes[i] = node;
      this.values[i] = value;
      this.detections[i] = detection;
      this.enforced[i] = enforced;
    }
    return enforced;
  }

  review(node: PathNode, detection: Detection | null): Detection | null {
    const reviews = this.batch!.reviews;
    return reviews === null ? detection : reviews.enforce(node, this.key, detection, this.controls!.detector.classifiers);
  }

  end(outcome: PolicyOutcome): void {
    const batch = this.batch!;
    if (this.options.inventory && this.count > 0) {
      let n = 0;
      if (outcome.dropped === false) {
        for (const output of outcome.outputs) {
          const d = batch.indexOf.get(output.destination);
          if (d !== undefined) this.outputs[n++] = d;
        }
      }
      const bucket = batch.observations.bucket(this.source, this.name, batch.names.length);
      for (let i = 0; i < this.count; i++) {
        bucket.observe(this.nodes[i]!, this.values[i]!, this.detections[i]!, this.enforced[i]!, this.planOf, this.outputs, n, this.subjectOf);
      }
    }
    this.abort();
  }

  /** Also for a dead-lettered event: values are personal data, held no longer than the event. */
  abort(): void {
    this.values.fill(null, 0, this.count);
    this.count = 0;
    this.event = null;
    this.controls = null;
  }

  private readonly planOf = (node: PathNode, enforced: Detection | null): LeafPlanLike | null => {
    const policy = this.controls!.policy;
    if (policy.planFor === undefined) return null;
    return enforced === null
      ? policy.planFor(this.source, node, null, 'green')
      : policy.planFor(this.source, node, enforced.classifier.id, enforced.classifier.classification);
  };

  private readonly subjectOf = (): string | null => {
    if (this.subjectHash === undefined) {
      const subject = this.event === null ? null : subjectOf(this.event);
      this.subjectHash = subject === null || this.options.hasher === null ? null : this.options.hasher.subjectHash(subject.id);
    }
    return this.subjectHash;
  };
}

function route(batch: TapBatch, controls: Controls): void {
  batch.generation = controls.generation;
  batch.names = controls.policy.destinations?.map((d) => d.name) ?? [];
  batch.indexOf.clear();
  batch.names.forEach((name, i) => batch.indexOf.set(name, i));
}
