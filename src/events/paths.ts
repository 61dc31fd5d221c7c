/**
 * A trie of every distinct path seen. Walking an event moves through the trie, so a path string
 * is built once per distinct path, not once per event, and per-path decisions (key matches,
 * inventory counters) hang off the node instead of a string-keyed map.
 */
export class PathNode {
  readonly parent: PathNode | null;
  /** The object key this node stands for; for an array element node, the array's key. */
  readonly key: string;
  /** True when this node is the `[]` element of its parent. */
  readonly isElement: boolean;
  readonly depth: number;
  /**
   * Whose data the path describes, set by the root the walk started from: `user` for most calls,
   * `group` under a group call's root, where top-level `traits` are the group's (a company).
   */
  readonly scope: PathScope;
  private children: Map<string, PathNode> | undefined;
  private elementNode: PathNode | undefined;
  private text: string | undefined;
  /**
   * The children of the last object walked here, by key position: events of one kind repeat their
   * key order, so the walk finds a child with one compare (keys from JSON.parse are internalized
   * strings) instead of a Map lookup. Written only for children the trie keeps.
   */
  orderKeys: string[] | null = null;
  orderNodes: PathNode[] | null = null;
  /** Detection's per-path cache; `cacheGeneration` says which detector filled it. */
  cache: unknown = undefined;
  cacheGeneration = -1;
  /** Per-path state of whoever owns the trie (e.g. inventory counters): a field, not a map lookup. */
  data: unknown = undefined;
  /** What enforcement remembers about the data points at this path (see PointMemory): a field, not a map lookup. */
  memory: unknown = undefined;
  /** What key scanning decided about this node's own key (see pipeline/key-controls); `keyGeneration` says which detector. */
  keyDecision: unknown = undefined;
  keyGeneration = -1;
  /** Shown in place of the key in `path` when the key itself is personal data (`<email>`). */
  private mask: string | null = null;

  constructor(
    parent: PathNode | null,
    key: string,
    isElement: boolean,
    private readonly trie: PathTrie | null,
    scope: PathScope = 'user',
  ) {
    this.parent = parent;
    this.key = key;
    this.isElement = isElement;
    this.depth = parent === null ? 0 : parent.depth + 1;
    this.scope = parent === null ? scope : parent.scope;
  }

  /** Kept by the trie (past its bound, nodes are transient and nothing is remembered on them). */
  get cacheable(): boolean {
    return this.trie !== null;
  }

  child(key: string): PathNode {
    let node = this.children?.get(key);
    if (node === undefined) {
      const trie = this.trie?.admit() ? this.trie : null;
      node = new PathNode(this, key, false, trie);
      // Past the trie's bound, nodes are transient: correct, just not cached (defends memory
      // against events with random keys).
      if (trie !== null) (this.children ??= new Map()).set(key, node);
    }
    return node;
  }

  element(): PathNode {
    if (this.elementNode === undefined) {
      const trie = this.trie?.admit() ? this.trie : null;
      const node = new PathNode(this, this.key, true, trie);
      if (trie !== null) this.elementNode = node;
      return node;
    }
    return this.elementNode;
  }

  /** The path in Segmentloom's syntax: `properties.products[].name`, `properties["a.b"]`. */
  get path(): string {
    if (this.text === undefined) this.text = buildPath(this);
    return this.text;
  }

  /**
   * Shows `placeholder` instead of this node's key in its path and every descendant's (an email
   * used as a key reads `properties.recipients.<email>.status`): paths go to the inventory, alerts
   * and logs, and must not carry the personal data a key holds. Sticky: a mask is never lifted.
   */
  setMask(placeholder: string): void {
    if (this.mask === placeholder || this.isElement) return;
    this.mask = placeholder;
    this.forgetText();
  }

  get masked(): boolean {
    return this.mask !== null;
  }

  /** @internal the key as paths show it */
  get shownKey(): string {
    return this.mask ?? this.key;
  }

  private forgetText(): void {
    this.text = undefined;
    if (this.children !== undefined) for (const child of this.children.values()) child.forgetText();
    this.elementNode?.forgetText();
  }

  /** The keys from the root to this node, array markers left out (for key-context matching). */
  keys(): string[] {
    const keys: string[] = [];
    for (let node: PathNode | null = this; node !== null && node.parent !== null; node = node.parent) {
      if (!node.isElement) keys.push(node.key);
    }
    return keys.reverse();
  }
}

/** See PathNode.scope. */
export type PathScope = 'user' | 'group';

/**
 * A bound on cached nodes shared by several tries (one per event name in the offline inventory):
 * each trie's own bound alone would let many names hold many full tries between them.
 */
export class NodeBudget {
  private used = 0;
  constructor(readonly max: number) {}

  get size(): number {
    return this.used;
  }

  /** @internal takes one node from the budget; false once it is spent. */
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
}

export class PathTrie {
  readonly root: PathNode;
  /** The root for group calls: same paths, separate nodes, so per-path decisions may differ. */
  readonly groupRoot: PathNode;
  private count = 0;

  constructor(
    readonly maxNodes = 200_000,
    private readonly budget: NodeBudget | null = null,
  ) {
    this.root = new PathNode(null, '', false, this);
    this.groupRoot = new PathNode(null, '', false, this, 'group');
  }

  /** Where the walk of an event of this call type starts. */
  rootFor(type: string): PathNode {
    return type === 'group' ? this.groupRoot : this.root;
  }

  get size(): number {
    return this.count;
  }

  /** @internal called by PathNode when it wants to add a cached child. */
  admit(): boolean {
    if (this.count >= this.maxNodes) return false;
    if (this.budget !== null && !this.budget.take()) return false;
    this.count++;
    return true;
  }

  /**
   * Finds or creates the node for a path string of an event of call type `type` (for config and
   * tests; not for the hot path).
   */
  resolve(path: string, type = 'track'): PathNode {
    let node = this.rootFor(type);
    for (const segment of parsePath(path)) node = segment === ARRAY ? node.element() : node.child(segment);
    return node;
  }
}

const NEEDS_BRACKETS = /[.[\]"]|^$/;

function buildPath(node: PathNode): string {
  if (node.parent === null) return '';
  const prefix = node.parent.path;
  if (node.isElement) return `${prefix}[]`;
  const key = node.shownKey;
  if (NEEDS_BRACKETS.test(key)) return `${prefix}[${JSON.stringify(key)}]`;
  return prefix === '' ? key : `${prefix}.${key}`;
}

export const ARRAY: unique symbol = Symbol('[]');
export type PathSegment = string | typeof ARRAY;

/** Splits a path string back into keys and array markers. Throws on malformed paths. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  let expectKey = true;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '[') {
      if (path[i + 1] === ']') {
        if (segments.length === 0) throw new Error(`invalid path "${path}": "[]" must follow a key`);
        segments.push(ARRAY);
        i += 2;
      } else if (path[i + 1] === '"') {
        const end = findClosingQuote(path, i + 2);
        if (end < 0 || path[end + 1] !== ']') throw new Error(`invalid path "${path}": unterminated ["..."] key`);
        segments.push(JSON.parse(path.slice(i + 1, end + 1)) as string);
        i = end + 2;
      } else {
        throw new Error(`invalid path "${path}": expected [] or ["key"] at offset ${i}`);
      }
      expectKey = false;
    } else if (ch === '.') {
      if (expectKey) throw new Error(`invalid path "${path}": empty key at offset ${i}`);
      i++;
      expectKey = true;
      if (path[i] === '[' && path[i + 1] === '"') expectKey = false;
    } else {
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      segments.push(path.slice(i, end));
      i = end;
      expectKey = false;
    }
  }
  if (expectKey && path.length > 0) throw new Error(`invalid path "${path}": ends with "."`);
  return segments;
}

function findClosingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
