import type { PathNode } from '../events/index.js';
import { riskOf, type Classification } from '../detect/index.js';
import type { PolicyAction } from './config.js';
import { isConsentSignal, type ConsentRule } from './consent.js';
import { NO_MATCH, type LeafFacts, type Selector } from './selectors.js';

/**
 * Per-leaf plans. A plan says what happens to one leaf at the source and in each destination's
 * output. It depends only on (source, path node, classifier id, classification), never on the
 * value, so it is computed once and cached on the node; the hot path is a lookup.
 */

/** Dry-run counter slot: a policy, or a destination's allow-list. */
export interface CounterInfo {
  policy: string;
  action: PolicyAction | 'remove';
  /** drop_event counts events, not leaves. */
  perEvent: boolean;
}

/** What a destination's output gets for a leaf. */
export const PASS = 0;
export const HASH = 1;
export const BLOCK = 2;
/** Removed by the destination's allow-list. */
export const REMOVE = 3;

export interface CompiledPolicy {
  index: number;
  name: string;
  action: PolicyAction;
  dryRun: boolean;
  selector: Selector;
  /** null: every source. */
  sources: ReadonlySet<string> | null;
  /** Destination indexes; null: at the source, before every destination. */
  destinations: readonly number[] | null;
}

export interface CompiledDestination {
  index: number;
  name: string;
  topic: string;
  allow: Selector | null;
  allowDryRun: boolean;
  /** Dry-run counter slot of this destination's allow-list. */
  counter: number;
  consent: ConsentRule | null;
  /** Verify mode (null: off). `every`: check one output in this many. */
  verify: { every: number; onLeak: 'report' | 'drop_field' | 'dead_letter' } | null;
}

export interface Plan {
  /** Nothing to do anywhere: the common case, checked first. */
  readonly passAll: boolean;
  /** Index of the policy that drops the event at the source, or -1. */
  readonly sourceDrop: number;
  /** Removed from the event itself (storage, logs and every destination). */
  readonly sourceBlock: boolean;
  /** PASS | HASH | BLOCK | REMOVE per destination index. */
  readonly actions: Uint8Array;
  /**
   * Per destination: the counter slot (a policy, or the destination's allow-list) behind its
   * action, -1 for PASS. The engine reports what each policy did under its name.
   */
  readonly by: Int32Array;
  /** The counter slot of the policy blocking the leaf at the source, or -1. */
  readonly sourceBlockBy: number;
  /** Per destination: index of the policy that drops the event for it, or -1; null when none. */
  readonly destDrop: Int32Array | null;
  /** Dry-run counter slots this leaf bumps. */
  readonly dryRun: Int32Array | null;
  /** The leaf changes the event or some output (so the run records it). */
  readonly rewrites: boolean;
}

const EMPTY_ACTIONS = new Uint8Array(0);
const EMPTY_BY = new Int32Array(0);
export const PASS_ALL: Plan = Object.freeze({
  passAll: true,
  sourceDrop: -1,
  sourceBlock: false,
  actions: EMPTY_ACTIONS,
  by: EMPTY_BY,
  sourceBlockBy: -1,
  destDrop: null,
  dryRun: null,
  rewrites: false,
});

/**
 * Top-level Segment fields that route and identify the call. An allow-list without `green` would
 * otherwise strip them and leave an output no consumer can interpret; they still obey policies
 * and are removed anyway when the detector classifies them.
 */
const ENVELOPE = new Set(['type', 'event', 'messageId', 'timestamp', 'originalTimestamp', 'sentAt', 'receivedAt', 'channel', 'version']);

interface ScopeDecision {
  drop: number;
  block: boolean;
  hash: boolean;
  /** The first block / hash policy that matched (its index), or -1. */
  blockBy: number;
  hashBy: number;
  /** An `allow` policy of this scope approved the leaf. */
  allowed: boolean;
}

/**
 * Resolves the policies of one scope (the source, or one destination) for a leaf. An `allow`
 * overrides block/hash/drop matches that are strictly less specific; on a tie the restrictive
 * action wins (fail closed). A policy naming sources explicitly is more specific than a `*` one
 * with the same selector kind, so "allow red for source internal" beats "block red everywhere".
 */
function decideScope(policies: readonly CompiledPolicy[], leaf: LeafFacts, dry: Set<number>): ScopeDecision {
  const decision: ScopeDecision = { drop: -1, block: false, hash: false, blockBy: -1, hashBy: -1, allowed: false };
  if (policies.length === 0) return decision;
  const specs = policies.map((p) => {
    const s = p.selector.specificity(leaf);
    return s === NO_MATCH ? NO_MATCH : s * 2 + (p.sources === null ? 0 : 1);
  });
  let allowSpec = NO_MATCH;
  policies.forEach((p, i) => {
    if (p.action === 'allow' && !p.dryRun && specs[i]! > allowSpec) allowSpec = specs[i]!;
  });
  decision.allowed = allowSpec !== NO_MATCH;
  policies.forEach((p, i) => {
    const spec = specs[i]!;
    if (spec === NO_MATCH) return;
    if (p.action === 'allow') {
      if (p.dryRun) dry.add(p.index);
      return;
    }
    if (spec < allowSpec) return;
    if (p.dryRun) dry.add(p.index);
    else if (p.action === 'block') {
      decision.block = true;
      if (decision.blockBy < 0) decision.blockBy = p.index;
    } else if (p.action === 'hash') {
      decision.hash = true;
      if (decision.hashBy < 0) decision.hashBy = p.index;
    } else if (decision.drop < 0) decision.drop = p.index;
  });
  return decision;
}

function approvedBy(destination: CompiledDestination, leaf: LeafFacts): boolean {
  if (destination.allow === null || destination.allow.specificity(leaf) !== NO_MATCH) return true;
  return leaf.category === null && leaf.node.depth === 1 && ENVELOPE.has(leaf.node.key);
}

/** The controls that apply to one source, with its plan cache. */
export class SourceView {
  readonly sourcePolicies: readonly CompiledPolicy[];
  readonly destPolicies: ReadonlyArray<readonly CompiledPolicy[]>;
  /** Unclassified leaves pass everywhere untouched: no lookup needed for them. */
  readonly unclassifiedPasses: boolean;
  private readonly plans = new WeakMap<PathNode, NodeEntry>();

  constructor(
    source: string,
    policies: readonly CompiledPolicy[],
    readonly destinations: readonly CompiledDestination[],
  ) {
    const mine = policies.filter((p) => p.sources === null || p.sources.has(source));
    this.sourcePolicies = mine.filter((p) => p.destinations === null);
    this.destPolicies = destinations.map((d) => mine.filter((p) => p.destinations?.includes(d.index) === true));
    this.unclassifiedPasses =
      mine.every((p) => !p.selector.usesPaths && !p.selector.matchesGreen) && destinations.every((d) => d.allow === null || d.allow.matchesGreen);
  }

  /** Hot path: a WeakMap lookup, then a field or a Map lookup. */
  planFor(node: PathNode, category: string | null, classification: Classification): Plan {
    let entry = this.plans.get(node);
    if (entry === undefined) {
      entry = new NodeEntry();
      this.plans.set(node, entry);
    }
    if (category === null) return (entry.unclassified ??= this.compile({ node, category, classification: 'green' }));
    let byRisk = (entry.byCategory ??= new Map()).get(category);
    if (byRisk === undefined) {
      byRisk = [undefined, undefined, undefined];
      entry.byCategory.set(category, byRisk);
    }
    const risk = riskOf(classification);
    return (byRisk[risk] ??= this.compile({ node, category, classification }));
  }

  private compile(leaf: LeafFacts): Plan {
    if (isConsentSignal(leaf.node)) return PASS_ALL;
    const dry = new Set<number>();
    const source = decideScope(this.sourcePolicies, leaf, dry);
    const actions = new Uint8Array(this.destinations.length);
    const by = new Int32Array(this.destinations.length).fill(-1);
    let destDrop: Int32Array | null = null;
    // A source-level block is final: nothing downstream sees the field, so no destination rule applies.
    if (!source.block) {
      for (const destination of this.destinations) {
        const scope = decideScope(this.destPolicies[destination.index]!, leaf, dry);
        if (scope.drop >= 0) (destDrop ??= new Int32Array(this.destinations.length).fill(-1))[destination.index] = scope.drop;
        let action = source.hash ? HASH : PASS;
        let responsible = source.hash ? source.hashBy : -1;
        if (scope.block) {
          action = BLOCK;
          responsible = scope.blockBy;
        } else if (scope.hash) {
          action = HASH;
          responsible = scope.hashBy;
        } else if (!scope.allowed && !approvedBy(destination, leaf)) {
          if (destination.allowDryRun) dry.add(destination.counter);
          else {
            action = REMOVE;
            responsible = destination.counter;
          }
        }
        actions[destination.index] = action;
        by[destination.index] = responsible;
      }
    }
    const rewrites = source.block || actions.some((a) => a !== PASS);
    if (!rewrites && source.drop < 0 && destDrop === null && dry.size === 0) return PASS_ALL;
    return {
      passAll: false,
      rewrites,
      sourceDrop: source.drop,
      sourceBlock: source.block,
      sourceBlockBy: source.blockBy,
      actions,
      by,
      destDrop,
      dryRun: dry.size > 0 ? Int32Array.from(dry) : null,
    };
  }
}

class NodeEntry {
  unclassified: Plan | undefined = undefined;
  byCategory: Map<string, Array<Plan | undefined>> | undefined = undefined;
}
