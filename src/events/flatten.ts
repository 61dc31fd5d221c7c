import type { PathNode } from './paths.js';
import { DEFAULT_LIMITS, type EventLimits } from './limits.js';
import { SegmentloomError } from '../core/errors.js';

/** A leaf value of an event: what a data point carries. */
export type Leaf = string | number | boolean | null;

/** Where a leaf lives, so enforcement can rewrite it in place. */
export type Container = Record<string, unknown> | unknown[];

/**
 * Called once per leaf. `container[slot]` is the leaf itself. Kept as a plain callback (no
 * per-leaf objects) because this runs for every value of every event.
 */
export type LeafVisitor = (node: PathNode, value: Leaf, container: Container, slot: string | number) => void;

/** Called once per object key (not array elements), before what the key holds is walked. */
export type KeyVisitor = (node: PathNode, key: string) => void;

/**
 * `hasOwn.call(object, key)` inside `for…in` compiles to a map check against the loop's enum cache
 * (V8 reduces that pattern); `Object.hasOwn` stays a call per key (measured: ~40% of a walk).
 */
const hasOwn = Object.prototype.hasOwnProperty;

/** Key positions remembered per node. */
const MAX_ORDERED = 64;

export class EventShapeError extends SegmentloomError {
  /** The dead-letter reason code. */
  constructor(
    readonly shape: 'too_deep' | 'too_many_leaves',
    message: string,
  ) {
    super('SLOOM_ERR_EVENT_SHAPE', message);
    this.name = 'EventShapeError';
  }
}

/**
 * Walks every leaf of `value` at any depth, arrays included, moving through the path trie from
 * `root`. Throws EventShapeError when the event is deeper or larger than the limits allow.
 * Returns the number of leaves visited.
 */
export function flatten(
  root: PathNode,
  value: Record<string, unknown>,
  visit: LeafVisitor,
  limits: EventLimits = DEFAULT_LIMITS,
  visitKey: KeyVisitor | null = null,
): number {
  // The walk's constants live in module state, not in every call's arguments: it recurses once
  // per object and array of every event. Saved and restored, so a visitor may flatten too.
  const outerVisit = currentVisit;
  const outerKeyVisit = currentKeyVisit;
  currentKeyVisit = visitKey;
  const outerLimits = currentLimits;
  const outerLeaves = leafCount;
  currentVisit = visit;
  currentLimits = limits;
  maxLeaves = limits.maxLeaves;
  maxDepth = limits.maxDepth;
  leafCount = 0;
  try {
    // The root object is level 0: `properties` is level 1, as `maxDepth` counts levels below the root.
    walkObject(root, value, 0);
    return leafCount;
  } finally {
    currentVisit = outerVisit;
    currentKeyVisit = outerKeyVisit;
    currentLimits = outerLimits;
    leafCount = outerLeaves;
    maxLeaves = outerLimits.maxLeaves;
    maxDepth = outerLimits.maxDepth;
  }
}

let currentVisit: LeafVisitor = () => {};
let currentKeyVisit: KeyVisitor | null = null;
let currentLimits: EventLimits = DEFAULT_LIMITS;
let leafCount = 0;
let maxLeaves = 0;
let maxDepth = 0;

function walkObject(node: PathNode, object: Record<string, unknown>, depth: number): void {
  if (depth > maxDepth) throw tooDeep(currentLimits);
  let keys = node.orderKeys;
  let nodes = node.orderNodes;
  let i = 0;
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    let child: PathNode;
    if (keys !== null && keys[i] === key) child = nodes![i]!;
    else {
      child = node.child(key);
      // Only trie-kept children (past the trie's bound nodes are transient); positions stay few.
      if (i < MAX_ORDERED && child.cacheable) {
        if (keys === null) {
          keys = node.orderKeys = [];
          nodes = node.orderNodes = [];
        }
        keys[i] = key;
        nodes![i] = child;
      }
    }
    i++;
    if (currentKeyVisit !== null) currentKeyVisit(child, key);
    const value = object[key];
    if (value === null || typeof value !== 'object') leaf(child, value, object, key);
    else if (Array.isArray(value)) walkArray(child, value, depth + 1);
    else walkObject(child, value as Record<string, unknown>, depth + 1);
  }
}

function walkArray(node: PathNode, array: unknown[], depth: number): void {
  if (depth > maxDepth) throw tooDeep(currentLimits);
  const element = node.element();
  for (let i = 0; i < array.length; i++) {
    const value = array[i];
    if (value === null || typeof value !== 'object') leaf(element, value, array, i);
    else if (Array.isArray(value)) walkArray(element, value, depth + 1);
    else walkObject(element, value as Record<string, unknown>, depth + 1);
  }
}

function leaf(node: PathNode, value: unknown, container: Container, slot: string | number): void {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return;
  if (++leafCount > maxLeaves) {
    throw new EventShapeError('too_many_leaves', `event has more than ${maxLeaves} values`);
  }
  currentVisit(node, value as Leaf, container, slot);
}

function tooDeep(limits: EventLimits): EventShapeError {
  return new EventShapeError('too_deep', `event is nested deeper than ${limits.maxDepth} levels`);
}
