import { riskOf, type Detection } from '../detect/index.js';
import { OVERFLOW_EVENT, OVERFLOW_PATH } from '../inventory/aggregate.js';
import { EventShapeError, eventName, flatten, type Container, type Leaf, type PathNode, type PathTrie, type SegmentEvent } from '../events/index.js';
import type { Controls, PolicyOutcome, PolicyRunLike, WalkHook } from './controls.js';
import type { Failure } from '../events/index.js';
import { KeyControls } from './key-controls.js';
import { EventKeys, PointMemory } from './point-memory.js';
import { OutputVerifier } from './verify.js';
import { bump, type BatchReport } from './report.js';

/**
 * Distinct data points seen (event name + path), per classifier: for run summaries. Keyed by path
 * node, then event name and classifier id, so a known point costs lookups and no string building.
 *
 * Bounded like the offline inventory (InventoryAggregator): past `maxEventNames` distinct names,
 * new names are filed under OVERFLOW_EVENT; nodes past the path trie's bound are transient (a new
 * object per event) and are filed under OVERFLOW_PATH, never as keys. `overflow` counts the
 * detections filed so, for the run summary.
 */
export class DataPointTally {
  private readonly byNode = new Map<PathNode, Map<string, Map<string, string>>>();
  /** Points past the path bound: event name → classifier id → classification. */
  private readonly pastPaths = new Map<string, Map<string, string>>();
  private readonly names = new Set<string>();
  readonly overflow = { eventNames: 0, paths: 0 };

  constructor(private readonly maxEventNames = 50_000) {}

  add(event: string, node: PathNode, detection: Detection): void {
    let byEvent: Map<string, Map<string, string>> | undefined;
    if (node.cacheable) {
      byEvent = this.byNode.get(node);
      if (byEvent === undefined) this.byNode.set(node, (byEvent = new Map()));
    } else {
      byEvent = this.pastPaths;
      this.overflow.paths++;
    }
    let classifiers = byEvent.get(event);
    if (classifiers === undefined) {
      // A name not seen at this point yet: only now is the bound on names consulted.
      const name = this.admit(event);
      classifiers = byEvent.get(name);
      if (classifiers === undefined) byEvent.set(name, (classifiers = new Map()));
    }
    if (!classifiers.has(detection.classifier.id)) classifiers.set(detection.classifier.id, detection.classifier.classification);
    // Every category the value carried, as the inventory counts them (InventoryAggregator).
    if (detection.also !== undefined) for (const info of detection.also) if (!classifiers.has(info.id)) classifiers.set(info.id, info.classification);
  }

  /** Every distinct point seen, for summaries and tests. */
  entries(): Array<{ event: string; path: string; classifier: string; classification: string }> {
    const out = [];
    const points: Array<[string, Map<string, Map<string, string>>]> = [...this.byNode].map(([node, byEvent]) => [node.path, byEvent]);
    if (this.pastPaths.size > 0) points.push([OVERFLOW_PATH, this.pastPaths]);
    for (const [path, byEvent] of points) {
      for (const [event, classifiers] of byEvent) for (const [classifier, classification] of classifiers) out.push({ event, path, classifier, classification });
    }
    return out;
  }

  byClassification(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const byEvent of [...this.byNode.values(), this.pastPaths]) {
      for (const classifiers of byEvent.values()) for (const classification of classifiers.values()) bump(counts, classification);
    }
    return counts;
  }

  /** The name a point of `event` is filed under. */
  private admit(event: string): string {
    if (event === OVERFLOW_EVENT || this.names.has(event)) return event;
    if (this.names.size >= this.maxEventNames) {
      this.overflow.eventNames++;
      return OVERFLOW_EVENT;
    }
    this.names.add(event);
    return event;
  }
}

export type WalkResult = { ok: true; outcome: PolicyOutcome } | { ok: false; failure: Failure };

export type { WalkHook } from './controls.js';

/**
 * Detection and enforcement in one walk over the event: each leaf is classified, then handed to
 * the policy run with its container and slot so the run can rewrite it in place. One instance per
 * loop; `visit` is bound once so no closure is allocated per event.
 */
export class EventWalker {
  private run: PolicyRunLike | null = null;
  private controls: Controls | null = null;
  private eventLabel = '';
  /** The event's `source \0 event name`: its points' key within a path. */
  private pointKey = '';
  private readonly keys = new EventKeys();
  // The event's detections, counted only once its walk succeeds: an event rejected half-way
  // (dead-lettered) must add nothing to the report or the tally. Reused arrays, no per-leaf objects.
  private readonly foundNodes: PathNode[] = [];
  private readonly foundDetections: Detection[] = [];
  private found = 0;
  /** Personal data in keys and event names (see KeyControls): applied before the leaves are walked. */
  private readonly keyControls = new KeyControls();

  constructor(
    private readonly trie: PathTrie,
    private readonly tally: DataPointTally | null = null,
    private readonly hook: WalkHook | null = null,
    readonly memory: PointMemory = new PointMemory(),
  ) {
    this.verifier = new OutputVerifier(trie, memory);
  }

  private readonly verifier: OutputVerifier;

  walk(controls: Controls, source: string, event: SegmentEvent, report: BatchReport): WalkResult {
    this.controls = controls;
    this.found = 0;
    try {
      // The name is normalised first: a point's key and label never hold personal data.
      this.keyControls.normaliseName(controls.detector, event);
      this.eventLabel = eventName(event);
      this.pointKey = this.keys.of(source, this.eventLabel);
      this.hook?.begin(controls, source, event, this.eventLabel);
      controls.detector.beginEvent?.(event, source);
      this.keyControls.apply(controls, source, event, this.trie.rootFor(event.type), this.hook);
      this.run = controls.policy.begin(source, event);
      flatten(this.trie.rootFor(event.type), event, this.visit, controls.limits);
      const outcome = this.run.finish();
      if (outcome.dropped === false && outcome.outputs.length > 0 && this.verifier.active(controls)) {
        const failure = this.verifier.check(controls, source, this.pointKey, event.type, outcome, report, this.hook);
        if (failure !== null) {
          this.hook?.abort();
          return { ok: false, failure };
        }
      }
      this.commitDetections(report);
      this.hook?.end(outcome);
      return { ok: true, outcome };
    } catch (err) {
      this.hook?.abort();
      if (err instanceof EventShapeError) return { ok: false, failure: { code: err.shape, reason: err.message } };
      // A bug or an unexpected value shape in detection/enforcement: the message is kept (dead
      // letter) and the loop goes on. Only the error's class goes in the reason: its message
      // might quote the value being processed.
      const name = err instanceof Error ? err.name : typeof err;
      return { ok: false, failure: { code: 'processing_error', reason: `processing failed (${name})` } };
    } finally {
      this.run = null;
      this.controls = null;
    }
  }

  private commitDetections(report: BatchReport): void {
    for (let i = 0; i < this.found; i++) {
      const detection = this.foundDetections[i]!;
      bump(report.detections, detection.classifier.classification);
      bump(report.classifiers, detection.classifier.id);
      if (detection.also !== undefined) for (const info of detection.also) bump(report.classifiers, info.id);
      if (this.tally !== null) this.tally.add(this.eventLabel, this.foundNodes[i]!, detection);
    }
  }

  /**
   * How a value is decided: the detector judges the value (with its key); key evidence for red
   * categories and the point's memory can only make it riskier; a review has the last word.
   */
  private readonly visit = (node: PathNode, value: Leaf, container: Container, slot: string | number): void => {
    const detector = this.controls!.detector;
    const detection = detector.detect(node, value, container);
    if (detection !== null) {
      const i = this.found++;
      this.foundNodes[i] = node;
      this.foundDetections[i] = detection;
    }
    let evidence = detection;
    if (detector.keyEvidence !== undefined && value !== null) {
      const key = detector.keyEvidence(node, value, container);
      if (key !== null && (evidence === null || riskOf(key.classifier.classification) > riskOf(evidence.classifier.classification))) evidence = key;
    }
    // An empty value carries nothing to protect (and teaches the point nothing).
    const enforced = value === null || value === '' ? evidence : this.memory.recall(node, this.pointKey, evidence, detector.classifiers);
    this.run!.observe(node, value, container, slot, this.hook === null ? enforced : this.hook.leaf(node, value, detection, enforced));
  };
}
