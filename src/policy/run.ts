import type { Container, Leaf, PathNode } from '../events/index.js';
import type { Detection } from '../detect/index.js';
import type { PolicyAction } from './config.js';
import { ConsentSignals, Gate } from './consent.js';
import { BLOCK, HASH, PASS, REMOVE, type CompiledDestination, type CompiledPolicy, type CounterInfo, type Plan, type SourceView } from './plan.js';

/** Any decoded event (SegmentEvent fits). */
export type EnforcementEvent = Record<string, unknown>;

export interface DestinationOutput {
  destination: string;
  topic: string;
  /** The event as this destination may see it. */
  json: string;
}

export interface SkippedDestination {
  destination: string;
  reason: 'consent' | 'do_not_sell' | 'policy';
  /** For `policy`: the destination-scoped drop_event policy. */
  policy?: string;
}

export interface DryRunCount {
  /** Policy name, or `destinations.<name>.allow` for an allow-list in dry-run. */
  policy: string;
  action: PolicyAction | 'remove';
  /** Leaves it would have blocked/hashed/removed/allowed; 1 for drop_event (events). */
  count: number;
}

/** What one policy (or a destination's allow-list) did to an event. */
export interface AppliedCount {
  /** Policy name, or `destinations.<name>.allow` for an allow-list. */
  policy: string;
  action: 'block' | 'hash' | 'remove';
  /** Leaves, counted as in EnforcementStats (per output for destination-level actions). */
  count: number;
}

export interface EnforcementStats {
  /** Leaves removed by block policies: once for a source-level block, once per output for a destination-level one. */
  blocked: number;
  /** Values replaced by pseudonyms, per output. */
  hashed: number;
  /** Leaves removed by allow-list routing, per output. */
  removed: number;
  skipped: readonly SkippedDestination[];
  dryRun: readonly DryRunCount[];
  /** The blocked/hashed/removed counts by the policy that caused them. */
  applied: readonly AppliedCount[];
}

export interface EnforcementResult {
  dropped: false | { policy: string };
  /** One per destination that receives the event, in config order. */
  outputs: DestinationOutput[];
  stats: EnforcementStats;
  /**
   * The event's JSON text after source-level blocks, when some output is exactly that (the same
   * string): a reader that needs it too (the event store) takes it instead of serializing again.
   */
  plain?: string;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Enforcement of one event. Leaves are only recorded during the walk (mutating while `flatten`
 * iterates would skip array elements); `finish` then:
 *   1. applies source-level blocks to the event itself, permanently: storage and logs must not
 *      see those fields either;
 *   2. for each destination: writes its pseudonyms/removals into the event, `JSON.stringify`s it,
 *      and restores the original values. No per-destination clones.
 * After `finish` the caller's event is unchanged except for the source-level blocks.
 */
/**
 * What a run reads from the engine that began it. PolicyEngine (compile.ts) implements it; the
 * run names only this, so compile.ts and run.ts do not import each other.
 */
export interface RunEngine {
  readonly destinations: readonly CompiledDestination[];
  readonly policies: readonly CompiledPolicy[];
  /** Indexed by dry-run counter slot. */
  readonly counters: readonly CounterInfo[];
  readonly consentDefault: 'allow' | 'deny';
  pseudonymize(value: Leaf, version?: number): string | null;
  /** Takes the run back for reuse. */
  release(run: PolicyRun): void;
}

export class PolicyRun {
  private view: SourceView | null = null;
  private event: EnforcementEvent | null = null;
  private readonly consent = new ConsentSignals();
  // Recorded leaves as parallel arrays, reused across events (no per-leaf objects).
  private readonly containers: Container[] = [];
  private readonly slots: Array<string | number> = [];
  private readonly values: Leaf[] = [];
  private readonly plans: Plan[] = [];
  private readonly pseudonyms: Array<string | null | undefined> = [];
  private count = 0;
  private sourceBlocks = 0;
  private dropPolicy = -1;
  private readonly destDrop: Int32Array;
  private readonly dry: Int32Array;
  private readonly touched: number[] = [];
  // Per counter slot: leaves it blocked/hashed/removed in this event (same slots as dry runs).
  private readonly applied: Int32Array;
  private readonly appliedTouched: number[] = [];

  /** @internal use PolicyEngine.begin */
  constructor(private readonly engine: RunEngine) {
    this.destDrop = new Int32Array(engine.destinations.length);
    this.dry = new Int32Array(engine.counters.length);
    this.applied = new Int32Array(engine.counters.length);
  }

  /** @internal */
  start(view: SourceView, event: EnforcementEvent): void {
    this.view = view;
    this.event = event;
    this.consent.read(event);
    this.destDrop.fill(-1);
  }

  /** Per leaf, from the flatten visitor. A leaf that passes everywhere costs a lookup and no allocation. */
  observe(node: PathNode, value: Leaf, container: Container, slot: string | number, detection: Detection | null): void {
    const view = this.view;
    if (view === null) throw new Error('PolicyRun.observe called outside begin()/finish()');
    let plan: Plan;
    if (detection === null) {
      if (view.unclassifiedPasses) return;
      plan = view.planFor(node, null, 'green');
    } else {
      plan = view.planFor(node, detection.classifier.id, detection.classifier.classification);
    }
    if (plan.passAll) return;
    if (plan.sourceDrop >= 0 && this.dropPolicy < 0) this.dropPolicy = plan.sourceDrop;
    if (plan.destDrop !== null) {
      for (let d = 0; d < plan.destDrop.length; d++) if (plan.destDrop[d]! >= 0 && this.destDrop[d]! < 0) this.destDrop[d] = plan.destDrop[d]!;
    }
    if (plan.dryRun !== null) this.countDryRun(plan.dryRun);
    if (!plan.rewrites) return;
    const i = this.count++;
    this.containers[i] = container;
    this.slots[i] = slot;
    this.values[i] = value;
    this.plans[i] = plan;
    this.pseudonyms[i] = undefined;
    if (plan.sourceBlock) this.sourceBlocks++;
  }

  finish(): EnforcementResult {
    const event = this.event;
    if (event === null) throw new Error('PolicyRun.finish called twice');
    try {
      const stats = {
        blocked: 0,
        hashed: 0,
        removed: 0,
        skipped: NONE as readonly SkippedDestination[],
        dryRun: NONE as readonly DryRunCount[],
        applied: NONE as readonly AppliedCount[],
      };
      // Applied even when the event is dropped: the caller may still store or dead-letter it.
      if (this.sourceBlocks > 0) stats.blocked += this.applySourceBlocks();
      let dropped: EnforcementResult['dropped'] = false;
      const outputs: DestinationOutput[] = [];
      let plain: string | undefined;
      if (this.dropPolicy >= 0) dropped = { policy: this.engine.policies[this.dropPolicy]!.name };
      else plain = this.route(event, outputs, stats);
      stats.dryRun = this.collectDryRun();
      stats.applied = this.collectApplied();
      return plain === undefined ? { dropped, outputs, stats } : { dropped, outputs, stats, plain };
    } finally {
      this.reset();
    }
  }

  private countDryRun(slots: Int32Array): void {
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      if (this.dry[slot] === 0) this.touched.push(slot);
      if (this.engine.counters[slot]!.perEvent) this.dry[slot] = 1;
      else this.dry[slot]!++;
    }
  }

  private applySourceBlocks(): number {
    let arrays = false;
    // Backwards, so removing an array element never shifts one still to be removed.
    for (let i = this.count - 1; i >= 0; i--) {
      if (!this.plans[i]!.sourceBlock) continue;
      this.attribute(this.plans[i]!.sourceBlockBy);
      const container = this.containers[i]!;
      if (Array.isArray(container)) {
        container.splice(this.slots[i] as number, 1);
        arrays = true;
      } else {
        delete container[this.slots[i] as string];
      }
    }
    // Later leaves of those arrays moved down: shift their recorded slots to match.
    if (arrays) {
      const removed = new Map<unknown[], number>();
      for (let i = 0; i < this.count; i++) {
        const container = this.containers[i]!;
        if (!Array.isArray(container)) continue;
        const before = removed.get(container) ?? 0;
        if (this.plans[i]!.sourceBlock) removed.set(container, before + 1);
        else this.slots[i] = (this.slots[i] as number) - before;
      }
    }
    return this.sourceBlocks;
  }

  /** Fills `outputs`; returns the unchanged event's text when some output is it (see EnforcementResult.plain). */
  private route(
    event: EnforcementEvent,
    outputs: DestinationOutput[],
    stats: { blocked: number; hashed: number; removed: number; skipped: readonly SkippedDestination[] },
  ): string | undefined {
    let skipped: SkippedDestination[] | null = null;
    let plain: string | undefined;
    let last = -1;
    let lastJson = '';
    for (const destination of this.engine.destinations) {
      const d = destination.index;
      const gate = this.consent.gate(destination.consent, this.engine.consentDefault);
      if (gate !== Gate.Open || this.destDrop[d]! >= 0) {
        (skipped ??= []).push(
          gate === Gate.Consent
            ? { destination: destination.name, reason: 'consent' }
            : gate === Gate.DoNotSell
              ? { destination: destination.name, reason: 'do_not_sell' }
              : { destination: destination.name, reason: 'policy', policy: this.engine.policies[this.destDrop[d]!]!.name },
        );
        continue;
      }
      let changes = 0;
      for (let i = 0; i < this.count; i++) {
        const plan = this.plans[i]!;
        const action = plan.actions[d];
        if (action === PASS || action === undefined) continue;
        changes++;
        if (action === BLOCK) stats.blocked++;
        else if (action === REMOVE) stats.removed++;
        else if (this.values[i] !== null) stats.hashed++;
        else continue; // a null is left as it is: nothing was hashed
        this.attribute(plan.by[d]!);
      }
      let json: string;
      if (changes === 0) json = plain ??= JSON.stringify(event);
      else if (last >= 0 && this.sameActions(last, d)) json = lastJson;
      else {
        json = lastJson = this.render(event, d);
        last = d;
      }
      outputs.push({ destination: destination.name, topic: destination.topic, json });
    }
    if (skipped !== null) stats.skipped = skipped;
    return plain;
  }

  private sameActions(a: number, b: number): boolean {
    for (let i = 0; i < this.count; i++) if (this.plans[i]!.actions[a] !== this.plans[i]!.actions[b]) return false;
    return true;
  }

  /** Mutate in place, stringify, restore: cheaper than a deep clone per destination. */
  private render(event: EnforcementEvent, d: number): string {
    const { containers, slots, values, plans, pseudonyms } = this;
    let removed = false;
    try {
      // Pseudonyms first, while every recorded slot still points at its element.
      for (let i = 0; i < this.count; i++) {
        if (plans[i]!.actions[d] !== HASH) continue;
        let pseudonym = pseudonyms[i];
        if (pseudonym === undefined) pseudonym = pseudonyms[i] = this.engine.pseudonymize(values[i]!);
        (containers[i] as Record<string | number, unknown>)[slots[i]!] = pseudonym;
      }
      // Removals backwards. Object keys are set to undefined (JSON.stringify omits them) rather
      // than deleted, so restoring keeps the key order and the object's shape.
      for (let i = this.count - 1; i >= 0; i--) {
        const action = plans[i]!.actions[d];
        if (action !== BLOCK && action !== REMOVE) continue;
        const container = containers[i]!;
        if (Array.isArray(container)) container.splice(slots[i] as number, 1);
        else container[slots[i] as string] = undefined;
      }
      removed = true;
      return JSON.stringify(event);
    } finally {
      // Forwards: each re-inserted element lands at its original index.
      for (let i = 0; i < this.count; i++) {
        const action = plans[i]!.actions[d];
        if (action === PASS || action === undefined) continue;
        const container = containers[i]!;
        if (action !== HASH && Array.isArray(container)) {
          if (removed) container.splice(slots[i] as number, 0, values[i]);
        } else (container as Record<string | number, unknown>)[slots[i]!] = values[i];
      }
    }
  }

  private attribute(slot: number): void {
    if (slot < 0) return;
    if (this.applied[slot] === 0) this.appliedTouched.push(slot);
    this.applied[slot]!++;
  }

  private collectApplied(): readonly AppliedCount[] {
    if (this.appliedTouched.length === 0) return NONE;
    return this.appliedTouched.map((slot) => {
      const info = this.engine.counters[slot]!;
      return { policy: info.policy, action: info.action as AppliedCount['action'], count: this.applied[slot]! };
    });
  }

  private collectDryRun(): readonly DryRunCount[] {
    if (this.touched.length === 0) return NONE;
    const counts = this.touched.map((slot) => {
      const info = this.engine.counters[slot]!;
      return { policy: info.policy, action: info.action, count: this.dry[slot]! };
    });
    return counts;
  }

  private reset(): void {
    // Drop references to the event so a pooled run does not keep it alive.
    for (let i = 0; i < this.count; i++) {
      this.containers[i] = undefined as never;
      this.values[i] = null;
      this.pseudonyms[i] = undefined;
    }
    for (const slot of this.touched) this.dry[slot] = 0;
    this.touched.length = 0;
    for (const slot of this.appliedTouched) this.applied[slot] = 0;
    this.appliedTouched.length = 0;
    this.count = 0;
    this.sourceBlocks = 0;
    this.dropPolicy = -1;
    this.event = null;
    this.view = null;
    this.consent.clear();
    this.engine.release(this);
  }
}
