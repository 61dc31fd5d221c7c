import type { PathNode } from './paths.js';
import { DEFAULT_LIMITS, type EventLimits } from './limits.js';

/** A leaf value of an event: what a data point carries. */
export type Leaf = string | number | boolean | null;

/** Where a leaf lives, so enforcement can rewrite it in place. */
export type Container = Record<string, unknown> | unknown[];

/**
 * Called once per leaf. `container[slot]` is the leaf itself. Kept as a plain callback (no
 * per-leaf objects) because this runs for every value of every event.
 */
export type LeafVisitor = (node: PathNode, value: Leaf, container: Container, slot: string | number) => void;

/** Key positions remembered per node. */
const MAX_ORDERED = 64;

export class EventShapeError extends Error {
  constructor(readonly code: 'too_deep' | 'too_many_leaves', message: string) {
    super(message);
    this.name = 'EventShapeError';
  }
}

/**
 * Walks every leaf of `value` at any depth, arrays included, moving through the path trie from
 * `root`. Throws EventShapeError when the event is deeper or larger than the limits allow.
 * Returns the number of leaves visited.
 */
export function flatten(root: PathNode, value: Record<string, unknown>, visit: LeafVisitor, limits: EventLimits = DEFAULT_LIMITS): number {
  const state = { leaves: 0 };
  // The root object is level 0: `properties` is level 1, as `maxDepth` counts levels below the root.
  walkObject(root, value, visit, limits, state, 0);
  return state.leaves;
}

function walkObject(node: PathNode, object: Record<string, unknown>, visit: LeafVisitor, limits: EventLimits, state: { leaves: number }, depth: number): void {
  if (depth > limits.maxDepth) throw tooDeep(limits);
  let keys = node.orderKeys;
  let nodes = node.orderNodes;
  let i = 0;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
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
    walkValue(child, object[key], object, key, visit, limits, state, depth);
  }
}

function walkArray(node: PathNode, array: unknown[], visit: LeafVisitor, limits: EventLimits, state: { leaves: number }, depth: number): void {
  if (depth > limits.maxDepth) throw tooDeep(limits);
  const element = node.element();
  for (let i = 0; i < array.length; i++) walkValue(element, array[i], array, i, visit, limits, state, depth);
}

function walkValue(node: PathNode, value: unknown, container: Container, slot: string | number, visit: LeafVisitor, limits: EventLimits, state: { leaves: number }, depth: number): void {
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return;
    if (++state.leaves > limits.maxLeaves) {
      throw new EventShapeError('too_many_leaves', `event has more than ${limits.maxLeaves} values`);
    }
    visit(node, value as Leaf, container, slot);
  } else if (Array.isArray(value)) {
    walkArray(node, value, visit, limits, state, depth + 1);
  } else {
    walkObject(node, value as Record<string, unknown>, visit, limits, state, depth + 1);
  }
}

function tooDeep(limits: EventLimits): EventShapeError {
  return new EventShapeError('too_deep', `event is nested deeper than ${limits.maxDepth} levels`);
}
