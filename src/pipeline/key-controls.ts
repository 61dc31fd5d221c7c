import type { Detection, PointDetector } from '../detect/index.js';
import type { PathNode, SegmentEvent } from '../events/index.js';
import type { Controls, LeafPlanLike, WalkHook } from './controls.js';

/**
 * Personal data written where a field name or an event name belongs: `{"recipients":
 * {"dave@example.com": {...}}}`, `ssn_by_person: {"<an SSN>": "x"}`, `event: "Invited carol@…"`.
 * Value detection only looks at values, so such keys went to every destination and into the
 * inventory's paths as they were. Before the leaves are walked:
 *
 *  - every distinct key is scanned once with the value detectors (the decision is cached on its
 *    path node, so an ordinary key costs a field read per event and nothing is allocated);
 *  - a key holding personal data is a data point of its own (the hook records it, with the key as
 *    the value to mask), and the policies decide what becomes of it at the source, fail-closed
 *    across destinations: passed everywhere → kept; hashed (and nothing stricter) → renamed to its
 *    pseudonym; blocked, removed by an allow-list, or no plan to ask → the key and what it holds
 *    are dropped;
 *  - the node shows a placeholder in its path (`properties.recipients.<email>.status`), so paths in
 *    the inventory, alerts and logs never carry the key's text;
 *  - a track event name holding personal data is rewritten at the source with placeholders
 *    (`Invited <email>`): it is a label, stored in the clear (events.event_name, the inventory),
 *    and is never needed to carry the value itself.
 */
export class KeyControls {
  /** Event names seen and what they became (bounded: names come from producers). */
  private readonly names = new Map<string, string>();
  private readonly generations = new WeakMap<PointDetector, number>();
  private nextGeneration = 0;

  constructor(private readonly maxNames = 10_000) {}

  /** Rewrites a track event name holding personal data; returns whether it changed. */
  normaliseName(detector: PointDetector, event: SegmentEvent): boolean {
    if (event.type !== 'track' || typeof event.event !== 'string' || detector.scanText === undefined) return false;
    const name = event.event;
    let shown = this.names.get(name);
    if (shown === undefined) {
      shown = normaliseText(detector, name);
      if (this.names.size >= this.maxNames) this.names.clear();
      this.names.set(name, shown);
    }
    if (shown === name) return false;
    event.event = shown;
    return true;
  }

  /** Applies the controls to every key of `event` walked from `root`. */
  apply(controls: Controls, source: string, event: SegmentEvent, root: PathNode, hook: WalkHook | null): void {
    if (controls.detector.scanText === undefined) return;
    this.controls = controls;
    this.source = source;
    this.hook = hook;
    try {
      this.walk(controls.detector, this.generation(controls.detector), root, event as Record<string, unknown>, controls.limits.maxDepth, 0);
    } finally {
      this.controls = null;
      this.hook = null;
    }
  }

  /**
   * The offline scan's pass (no policies): masks the paths of keys holding personal data and hands
   * each such key to `onKey` as a data point, keeping the event as it is.
   */
  scan(detector: PointDetector, event: SegmentEvent, root: PathNode, maxDepth: number, onKey: (node: PathNode, key: string, found: Detection) => void): void {
    if (detector.scanText === undefined) return;
    this.onKey = onKey;
    try {
      this.walk(detector, this.generation(detector), root, event as Record<string, unknown>, maxDepth, 0);
    } finally {
      this.onKey = null;
    }
  }

  /**
   * For a walk that visits keys itself (the offline scan, in the leaf walk: one pass, see
   * flatten's KeyVisitor): what a node's own key holds, cached on the node. `generation` comes
   * from `generationOf(detector)`, read once per event.
   */
  keyFinding(detector: PointDetector, generation: number, node: PathNode): Detection | null {
    if (detector.scanText === undefined) return null;
    return this.decide(detector, generation, node);
  }

  generationOf(detector: PointDetector): number {
    return this.generation(detector);
  }

  // The event being walked (fields, not arguments: nothing is allocated per event).
  private controls: Controls | null = null;
  private source = '';
  private hook: WalkHook | null = null;
  private onKey: ((node: PathNode, key: string, found: Detection) => void) | null = null;

  private walk(detector: PointDetector, generation: number, node: PathNode, object: Record<string, unknown>, maxDepth: number, depth: number): void {
    // Deeper events are dead-lettered by the leaf walk that follows; nothing to control here.
    if (depth > maxDepth) return;
    const keys = node.orderKeys;
    const nodes = node.orderNodes;
    let i = 0;
    // Renames wait for the end of the loop: a key added while for-in runs may be visited again.
    let renames: Array<[string, string]> | null = null;
    for (const key in object) {
      if (!hasOwn.call(object, key)) continue;
      const child = keys !== null && keys[i] === key ? nodes![i]! : node.child(key);
      i++;
      const found = this.decide(detector, generation, child);
      if (found !== null) {
        const outcome = this.onKey !== null ? (this.onKey(child, key, found), KEEP) : this.control(node, child, key, found);
        if (outcome === DROP) {
          delete object[key];
          continue;
        }
        if (outcome !== KEEP) (renames ??= []).push([key, outcome]);
      }
      const value = object[key];
      if (value !== null && typeof value === 'object') this.descend(detector, generation, child, value, maxDepth, depth + 1);
    }
    if (renames !== null) {
      for (const [from, to] of renames) {
        const value = object[from];
        delete object[from];
        object[to] = value;
      }
    }
  }

  private descend(detector: PointDetector, generation: number, node: PathNode, value: object, maxDepth: number, depth: number): void {
    if (!Array.isArray(value)) return this.walk(detector, generation, node, value as Record<string, unknown>, maxDepth, depth);
    if (depth > maxDepth) return;
    const element = node.element();
    for (const item of value) if (item !== null && typeof item === 'object') this.descend(detector, generation, element, item as object, maxDepth, depth + 1);
  }

  /** What becomes of one key holding personal data: KEEP, DROP, or the name to rename it to. */
  private control(parent: PathNode, node: PathNode, key: string, found: Detection): string | typeof KEEP | typeof DROP {
    const controls = this.controls!;
    const hook = this.hook;
    const source = this.source;
    const enforced = hook === null ? found : (hook.leaf(node, key, found, found) ?? found);
    const plan = controls.policy.planFor?.(source, node, enforced.classifier.id, enforced.classifier.classification);
    const action = keyAction(plan);
    if (action === 'keep') return KEEP;
    if (action === 'drop' || controls.policy.pseudonymize === undefined) return DROP;
    let renamed: string;
    try {
      renamed = controls.policy.pseudonymize(key);
    } catch {
      return DROP;
    }
    // The pseudonym's own node: shown with the same placeholder, and known clean.
    const target = parent.child(renamed);
    target.setMask(node.shownKey);
    if (target.cacheable) {
      target.keyDecision = CLEAN;
      target.keyGeneration = node.keyGeneration;
    }
    return renamed;
  }

  /** The cached decision on a node's own key: the detection, or null. */
  private decide(detector: PointDetector, generation: number, node: PathNode): Detection | null {
    if (node.keyGeneration === generation) return node.keyDecision === CLEAN ? null : (node.keyDecision as Detection);
    const found = node.isElement ? null : detector.scanText!(node.key);
    // A key once seen as personal data stays masked; a reloaded detector can only add masks.
    if (found !== null) node.setMask(placeholder(found));
    if (node.cacheable) {
      node.keyDecision = found ?? CLEAN;
      node.keyGeneration = generation;
    }
    return found;
  }

  private generation(detector: PointDetector): number {
    let generation = this.generations.get(detector);
    if (generation === undefined) this.generations.set(detector, (generation = this.nextGeneration++));
    return generation;
  }
}

/** Called as `hasOwn.call(object, key)` in a for…in: V8 reduces it to a map check (Object.hasOwn stays a call per key). */
const hasOwn = Object.prototype.hasOwnProperty;
const CLEAN = Symbol('clean key');
const KEEP = Symbol('keep');
const DROP = Symbol('drop');

function placeholder(detection: Detection): string {
  return `<${detection.classifier.id}>`;
}

/** What the plans say becomes of a key holding personal data (see KeyControls). */
export function keyAction(plan: LeafPlanLike | undefined): 'keep' | 'hash' | 'drop' {
  if (plan === undefined) return 'drop';
  if (plan.passAll) return 'keep';
  if (plan.sourceBlock) return 'drop';
  let hashed = false;
  for (const action of plan.actions) {
    if (action === 1) hashed = true;
    else if (action !== 0) return 'drop';
  }
  return hashed ? 'hash' : 'keep';
}

/**
 * `text` with the personal data in it replaced by placeholders: word by word (`Invited <email>`),
 * and as a whole when a value spans words (a phone number written with spaces).
 */
export function normaliseText(detector: PointDetector, text: string): string {
  const scan = detector.scanText!;
  if (scan.call(detector, text) === null && !/\s/.test(text)) return text;
  const parts = text.split(/(\s+)/);
  let changed = false;
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i]!;
    const found = word === '' ? null : scan.call(detector, word);
    if (found !== null) {
      parts[i] = placeholder(found);
      changed = true;
    }
  }
  const shown = changed ? parts.join('') : text;
  const left = scan.call(detector, shown);
  return left === null ? shown : placeholder(left);
}
