import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARRAY,
  DEFAULT_LIMITS,
  EventShapeError,
  flatten,
  parsePath,
  PathTrie,
  type Container,
  type EventLimits,
  type Leaf,
  type PathNode,
  type PathSegment,
} from '../../src/events/index.js';

interface Visit {
  node: PathNode;
  path: string;
  value: Leaf;
  container: Container;
  slot: string | number;
}

/** Flattens `value` and records every visit, in order. */
function visits(value: Record<string, unknown>, trie = new PathTrie(), limits: EventLimits = DEFAULT_LIMITS): Visit[] {
  const out: Visit[] = [];
  flatten(trie.root, value, (node, leaf, container, slot) => out.push({ node, path: node.path, value: leaf, container, slot }), limits);
  return out;
}

/** `path → value` pairs, in visiting order. */
function pairs(value: Record<string, unknown>): Array<[string, Leaf]> {
  return visits(value).map((v) => [v.path, v.value]);
}

/** Limits loose enough that the property tests never hit them. */
const UNLIMITED: EventLimits = { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: 10_000, maxLeaves: 10_000_000 };

/**
 * An event whose objects nest `levels` deep below the event root, ending in one leaf:
 * nestedBelowRoot(2) is `{ k0: { k1: { k2: leaf } } }` (k0's and k1's values are the two levels).
 */
function nestedBelowRoot(levels: number, leaf: Leaf = 'jane.doe@example.com'): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = levels; i >= 0; i--) value = { [`k${i}`]: value };
  return value as Record<string, unknown>;
}

describe('flatten visits every leaf exactly once, with its path', () => {
  it('visits top-level fields, context, traits and properties', () => {
    const event = {
      type: 'identify',
      userId: 'u-1',
      anonymousId: null,
      context: { ip: '203.0.113.9', library: { name: 'analytics.js', version: '4.1.0' } },
      traits: { email: 'jane.doe@example.com', age: 41, vip: true },
      properties: { plan: 'pro' },
    };
    expect(pairs(event)).toEqual([
      ['type', 'identify'],
      ['userId', 'u-1'],
      ['anonymousId', null],
      ['context.ip', '203.0.113.9'],
      ['context.library.name', 'analytics.js'],
      ['context.library.version', '4.1.0'],
      ['traits.email', 'jane.doe@example.com'],
      ['traits.age', 41],
      ['traits.vip', true],
      ['properties.plan', 'pro'],
    ]);
  });

  it('visits leaves at any depth', () => {
    expect(pairs({ properties: { a: { b: { c: { d: { e: 'deep' } } } } } })).toEqual([['properties.a.b.c.d.e', 'deep']]);
  });

  it('marks array elements with [] after the array key, for arrays of primitives and of objects', () => {
    const event = {
      properties: {
        tags: ['new', 'sale'],
        products: [
          { name: 'Shoe', price: 10 },
          { name: 'Sock', variants: [{ size: 'M' }] },
        ],
      },
    };
    expect(pairs(event)).toEqual([
      ['properties.tags[]', 'new'],
      ['properties.tags[]', 'sale'],
      ['properties.products[].name', 'Shoe'],
      ['properties.products[].price', 10],
      ['properties.products[].name', 'Sock'],
      ['properties.products[].variants[].size', 'M'],
    ]);
  });

  it('marks each level of an array of arrays', () => {
    expect(pairs({ properties: { grid: [[1, 2], [3], [[4]]] } })).toEqual([
      ['properties.grid[][]', 1],
      ['properties.grid[][]', 2],
      ['properties.grid[][]', 3],
      ['properties.grid[][][]', 4],
    ]);
  });

  it('treats null as a leaf, inside objects and arrays', () => {
    expect(pairs({ userId: null, properties: { coupon: null, list: [null, 'x'] } })).toEqual([
      ['userId', null],
      ['properties.coupon', null],
      ['properties.list[]', null],
      ['properties.list[]', 'x'],
    ]);
  });

  it('yields nothing for empty objects and arrays', () => {
    expect(pairs({ properties: {}, context: { traits: {} }, tags: [], nested: [[], [{}]] })).toEqual([]);
    expect(pairs({})).toEqual([]);
  });

  it('keeps falsy primitives (0, false, empty string) as leaves', () => {
    expect(pairs({ properties: { n: 0, b: false, s: '' } })).toEqual([
      ['properties.n', 0],
      ['properties.b', false],
      ['properties.s', ''],
    ]);
  });

  it('returns the number of leaves visited', () => {
    const trie = new PathTrie();
    expect(flatten(trie.root, { a: 1, b: [2, 3], c: { d: null }, e: {} }, () => {})).toBe(4);
  });

  it('visits the same PathNode for every value seen at the same path, across events', () => {
    const trie = new PathTrie();
    const first = visits({ properties: { products: [{ name: 'Shoe' }, { name: 'Sock' }] } }, trie);
    const second = visits({ properties: { products: [{ name: 'Hat' }] } }, trie);
    expect(first[0]!.node).toBe(first[1]!.node);
    expect(second[0]!.node).toBe(first[0]!.node);
    expect(trie.resolve('properties.products[].name')).toBe(first[0]!.node);
  });

  it('finds the right node whatever order the keys come in from event to event', () => {
    const trie = new PathTrie();
    const shapes: Array<Record<string, unknown>> = [
      { a: 1, b: { x: 1, y: 2 } },
      { b: { y: 3, x: 4 }, a: 5 },
      { a: 6, c: 7, b: { z: 8 } },
      { c: 9 },
      { a: 10, b: { x: 11, y: 12 } },
    ];
    for (const shape of shapes) {
      for (const visit of visits(shape, trie)) {
        expect(trie.resolve(visit.path)).toBe(visit.node);
        expect(visit.container[visit.slot as never]).toBe(visit.value);
      }
    }
  });

  it('gives a shared trie the same paths as a fresh one, for any sequence of events', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.dictionary(key, tie('node'), { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 })),
    })).node;
    const event = fc.dictionary(key, value, { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), (events) => {
        const shared = new PathTrie();
        for (const e of events)
          expect(visits(e, shared, UNLIMITED).map((v) => [v.path, v.value])).toEqual(visits(e, new PathTrie(), UNLIMITED).map((v) => [v.path, v.value]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('paths put keys that would be ambiguous in bracket form', () => {
  it.each([
    ['a key with a dot', { 'a.b': 1 }, 'properties["a.b"]'],
    ['a key with brackets', { 'x[0]': 1 }, 'properties["x[0]"]'],
    ['a key with a closing bracket only', { 'x]': 1 }, 'properties["x]"]'],
    ['a key with a double quote', { 'say "hi"': 1 }, 'properties["say \\"hi\\""]'],
    ['the empty key', { '': 1 }, 'properties[""]'],
    ['a key made of []', { '[]': 1 }, 'properties["[]"]'],
  ])('%s', (_label, properties, path) => {
    const [visit] = visits({ properties });
    expect(visit!.path).toBe(path);
  });

  it('uses bracket form at the top level, under arrays and before further keys', () => {
    expect(pairs({ 'a.b': 1, properties: { 'x.y': [{ 'm.n': 2, ok: 3 }] } })).toEqual([
      ['["a.b"]', 1],
      ['properties["x.y"][]["m.n"]', 2],
      ['properties["x.y"][].ok', 3],
    ]);
  });

  it('leaves ordinary odd characters (spaces, dashes, unicode, backslashes) in dotted form', () => {
    expect(pairs({ traits: { 'ip adrs': 1, 'e-mail': 2, prénom: 3, 'a\\b': 4 } }).map(([p]) => p)).toEqual([
      'traits.ip adrs',
      'traits.e-mail',
      'traits.prénom',
      'traits.a\\b',
    ]);
  });

  it('parses both forms back to the same keys', () => {
    expect(parsePath('properties["a.b"][].c')).toEqual(['properties', 'a.b', ARRAY, 'c']);
    expect(parsePath('["say \\"hi\\""]')).toEqual(['say "hi"']);
    expect(parsePath('properties[""]')).toEqual(['properties', '']);
    const trie = new PathTrie();
    expect(trie.resolve('traits["ip adrs"]')).toBe(trie.resolve('traits.ip adrs'));
  });

  it.each(['[]', 'a..b', 'a.', '.a', 'a["b', 'a["b"', 'a[0]'])('rejects the malformed path %j', (path) => {
    expect(() => parsePath(path)).toThrow(/invalid path/);
  });
});

describe('container[slot] is the leaf, so enforcement can rewrite it in place', () => {
  it('points into objects and arrays, at any depth', () => {
    const event = {
      userId: 'u-1',
      properties: { email: 'jane.doe@example.com', emails: ['a@example.com', 'b@example.com'], items: [{ card: '4111111111111111' }] },
    };
    for (const v of visits(event)) expect((v.container as Record<string | number, unknown>)[v.slot]).toBe(v.value);
    const slots = visits(event).map((v) => [v.path, Array.isArray(v.container) ? 'array' : 'object', v.slot]);
    expect(slots).toEqual([
      ['userId', 'object', 'userId'],
      ['properties.email', 'object', 'email'],
      ['properties.emails[]', 'array', 0],
      ['properties.emails[]', 'array', 1],
      ['properties.items[].card', 'object', 'card'],
    ]);
  });

  it('lets the visitor rewrite every leaf of the original event', () => {
    const event = { userId: 'u-1', properties: { email: 'jane.doe@example.com', list: ['x', { y: 'z' }], n: null } };
    flatten(new PathTrie().root, event, (_node, _value, container, slot) => {
      (container as Record<string | number, unknown>)[slot] = 'REDACTED';
    });
    expect(event).toEqual({ userId: 'REDACTED', properties: { email: 'REDACTED', list: ['REDACTED', { y: 'REDACTED' }], n: 'REDACTED' } });
  });
});

describe('limits: hostile or broken events are refused with a safe message', () => {
  const limits = (overrides: Partial<EventLimits>): EventLimits => ({ ...DEFAULT_LIMITS, ...overrides });

  function shapeError(event: Record<string, unknown>, l: EventLimits): EventShapeError {
    try {
      flatten(new PathTrie().root, event, () => {}, l);
    } catch (err) {
      expect(err).toBeInstanceOf(EventShapeError);
      return err as EventShapeError;
    }
    throw new Error('expected flatten to throw EventShapeError');
  }

  it('refuses an event nested deeper than maxDepth, naming the limit and no value', () => {
    const err = shapeError(nestedBelowRoot(40), DEFAULT_LIMITS);
    expect(err.shape).toBe('too_deep');
    expect(err.name).toBe('EventShapeError');
    expect(err.message).toContain(String(DEFAULT_LIMITS.maxDepth));
    expect(err.message).toMatch(/deep|nest/i);
    expect(err.message).not.toMatch(/jane|example/);
  });

  it('counts arrays as nesting levels too', () => {
    let value: unknown = 'x';
    for (let i = 0; i < 40; i++) value = [value];
    expect(shapeError({ properties: { deep: value } }, DEFAULT_LIMITS).shape).toBe('too_deep');
  });

  // limits.ts: maxDepth is "the deepest nesting of objects/arrays below the event root". The
  // event object itself is not below the root, so `properties` is nesting level 1.
  it.each([1, 32])('accepts exactly maxDepth=%i levels of nesting below the root and refuses one more', (maxDepth) => {
    const l = limits({ maxDepth });
    expect(flatten(new PathTrie().root, nestedBelowRoot(maxDepth), () => {}, l)).toBe(1);
    expect(shapeError(nestedBelowRoot(maxDepth + 1), l).shape).toBe('too_deep');
  });

  it('accepts an ordinary event under the smallest allowed depth limit (maxDepth: 1)', () => {
    const event = { type: 'track', event: 'Signed Up', properties: { plan: 'pro' } };
    expect(flatten(new PathTrie().root, event, () => {}, limits({ maxDepth: 1 }))).toBe(3);
  });

  it('refuses an event with more than maxLeaves values, naming the limit and no value', () => {
    const l = limits({ maxLeaves: 5 });
    const event = {
      properties: { emails: ['jane.doe@example.com', 'john.smith@example.org', 'a.b@example.net', 'c.d@example.net', 'e.f@example.net', 'g.h@example.net'] },
    };
    const err = shapeError(event, l);
    expect(err.shape).toBe('too_many_leaves');
    expect(err.message).toContain('5');
    expect(err.message).not.toMatch(/@|example|jane/);
  });

  it('accepts exactly maxLeaves values', () => {
    expect(flatten(new PathTrie().root, { properties: { list: [1, 2, 3, 4, 5] } }, () => {}, limits({ maxLeaves: 5 }))).toBe(5);
  });

  it('keeps each walk to its own limits and count when a visitor flattens another event', () => {
    const outer = { properties: { a: 1, b: 2, c: 3 } };
    const inner = { properties: { list: [1, 2, 3, 4, 5, 6, 7, 8] } };
    const innerCounts: number[] = [];
    const visit = () => innerCounts.push(flatten(new PathTrie().root, inner, () => {}, limits({ maxLeaves: 100 })));
    expect(flatten(new PathTrie().root, outer, visit, limits({ maxLeaves: 3 }))).toBe(3);
    expect(innerCounts).toEqual([8, 8, 8]);
    // The outer limit still holds after the inner walks.
    expect(() => flatten(new PathTrie().root, { properties: { ...outer.properties, d: 4 } }, visit, limits({ maxLeaves: 3 }))).toThrow(EventShapeError);
  });

  it('uses the default limits when none are given', () => {
    const many = { properties: { list: Array.from({ length: DEFAULT_LIMITS.maxLeaves + 1 }, (_, i) => i) } };
    expect(() => flatten(new PathTrie().root, many, () => {})).toThrow(EventShapeError);
  });
});

describe('a group call is walked from its own root', () => {
  it('gives group paths their own nodes, with the same path strings and the group scope', () => {
    const trie = new PathTrie();
    const event = { traits: { name: 'Acme Inc' } };
    const identify: Visit[] = [];
    const group: Visit[] = [];
    flatten(trie.rootFor('identify'), event, (node, value, container, slot) => identify.push({ node, path: node.path, value, container, slot }));
    flatten(trie.rootFor('group'), event, (node, value, container, slot) => group.push({ node, path: node.path, value, container, slot }));
    expect(group[0]!.path).toBe('traits.name');
    expect(identify[0]!.path).toBe('traits.name');
    expect(group[0]!.node).not.toBe(identify[0]!.node);
    expect([identify[0]!.node.scope, group[0]!.node.scope]).toEqual(['user', 'group']);
    expect(trie.resolve('traits.name', 'group')).toBe(group[0]!.node);
    expect(trie.resolve('traits.name', 'identify')).toBe(identify[0]!.node);
    expect(trie.resolve('traits.name')).toBe(identify[0]!.node);
    for (const type of ['track', 'identify', 'page', 'screen', 'alias']) expect(trie.rootFor(type)).toBe(trie.root);
  });
});

describe('the path trie is bounded', () => {
  it('keeps flattening correctly past the bound, with transient nodes', () => {
    const trie = new PathTrie(5);
    const event: Record<string, unknown> = { properties: {} };
    for (let i = 0; i < 50; i++) (event.properties as Record<string, unknown>)[`k${i}`] = { inner: [i, { v: `x${i}` }] };
    const seen = visits(event, trie);
    expect(seen).toHaveLength(100);
    for (let i = 0; i < 50; i++) {
      expect(seen[2 * i]!.path).toBe(`properties.k${i}.inner[]`);
      expect(seen[2 * i]!.value).toBe(i);
      expect(seen[2 * i + 1]!.path).toBe(`properties.k${i}.inner[].v`);
      expect(seen[2 * i + 1]!.value).toBe(`x${i}`);
    }
    expect(trie.size).toBeLessThanOrEqual(5);
    // A second pass over fresh random keys does not grow it either.
    visits({ properties: { fresh: { a: 1, b: 2, c: { d: 3 } } } }, trie);
    expect(trie.size).toBeLessThanOrEqual(5);
  });

  it('still returns the cached node for paths admitted before the bound', () => {
    const trie = new PathTrie(3);
    const email = trie.resolve('traits.email');
    visits({ traits: { a: 1, b: 2, c: 3, d: 4 } }, trie);
    expect(trie.size).toBeLessThanOrEqual(3);
    expect(trie.resolve('traits.email')).toBe(email);
  });

  it('is not grown by property-test sized random events past a small bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 20 }),
        (events, bound) => {
          const trie = new PathTrie(bound);
          for (const event of events) {
            const seen = visits(event, trie, UNLIMITED);
            expect(seen.length).toBe(countLeaves(event));
            expect(trie.size).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  // "Past the trie's bound, nodes are transient ... (defends memory against events with random
  // keys)": every node the trie keeps should count toward maxNodes, array-element nodes included.
  it('counts array-element nodes toward the bound, so it never keeps more than maxNodes nodes', () => {
    const trie = new PathTrie(3);
    let value: unknown = 1;
    for (let i = 0; i < 20; i++) value = [value];
    visits({ a: value }, trie);
    expect(trie.size).toBeLessThanOrEqual(3);
    // A node is kept (cached) when resolving its path twice gives the same object.
    let path = 'a';
    const kept: string[] = [];
    for (let i = 0; i <= 20; i++, path += '[]') {
      const first = trie.resolve(path);
      if (first === trie.resolve(path)) kept.push(path);
    }
    expect(kept.length).toBeLessThanOrEqual(3);
  });
});

// ---- property tests ------------------------------------------------------------------------

/** Keys that exercise the path syntax: ordinary strings plus every character that needs brackets. */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ maxLength: 4, unit: 'binary' }),
  fc.constantFrom('', '.', '[', ']', '"', '[]', 'a.b', '["x"]', 'a"b', '\\', '\\"', 'ip adrs', '__proto__', 'constructor', 'toString', '0', '1'),
);

const jsonTree = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).object;

/** Arbitrary JSON objects: hand-rolled with odd keys, fast-check's own jsonValue, and fc.object(). */
const jsonObject = fc.oneof(
  jsonTree,
  fc.dictionary(key, fc.jsonValue({ maxDepth: 5 }), { maxKeys: 6 }),
  fc.object({ maxDepth: 4, values: [fc.string(), fc.integer(), fc.boolean(), fc.constant(null)] }),
);

function isLeaf(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function countLeaves(value: unknown): number {
  if (isLeaf(value)) return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countLeaves(v), 0);
  return Object.keys(value as object).reduce((n, k) => n + countLeaves((value as Record<string, unknown>)[k]), 0);
}

/** Independent reference walk: every leaf with the segments of its path. */
function referenceLeaves(value: unknown, segments: PathSegment[] = [], out: Array<[PathSegment[], unknown]> = []): Array<[PathSegment[], unknown]> {
  if (isLeaf(value)) out.push([segments, value]);
  else if (Array.isArray(value)) for (const v of value) referenceLeaves(v, [...segments, ARRAY], out);
  else for (const k of Object.keys(value as object)) referenceLeaves((value as Record<string, unknown>)[k], [...segments, k], out);
  return out;
}

/** A canonical, comparable text for a (segments, value) pair. */
function canonical(segments: readonly PathSegment[], value: unknown): string {
  return JSON.stringify([segments.map((s) => (s === ARRAY ? { array: true } : s)), value === undefined ? 'undefined' : value]);
}

describe('flatten, for arbitrary JSON objects (property-based)', () => {
  it('(a) visits as many times as there are primitive leaves', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        expect(visits(object, new PathTrie(), UNLIMITED)).toHaveLength(countLeaves(object));
        expect(flatten(new PathTrie().root, object, () => {}, UNLIMITED)).toBe(countLeaves(object));
      }),
      { numRuns: 500 },
    );
  });

  it('visits each leaf exactly once, under the path the reference walk assigns it', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        const actual = visits(object, new PathTrie(), UNLIMITED).map((v) => canonical(parsePath(v.path), v.value));
        const expected = referenceLeaves(object).map(([segments, value]) => canonical(segments, value));
        expect(actual.sort()).toEqual(expected.sort());
      }),
      { numRuns: 500 },
    );
  });

  it('(b) parsePath(node.path) round-trips: resolving the path again gives the same node', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        const trie = new PathTrie();
        for (const v of visits(object, trie, UNLIMITED)) {
          expect(() => parsePath(v.path)).not.toThrow();
          expect(trie.resolve(v.path)).toBe(v.node);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('(c) following container[slot] gives the visited value', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        for (const v of visits(object, new PathTrie(), UNLIMITED)) {
          expect(Object.hasOwn(v.container, v.slot)).toBe(true);
          expect(Object.is((v.container as Record<string | number, unknown>)[v.slot], v.value)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('survives a JSON round trip: flattening the parsed text of an object gives the same visits', () => {
    fc.assert(
      fc.property(jsonObject, (object) => {
        const reparsed = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
        const a = visits(object, new PathTrie(), UNLIMITED).map((v) => [v.path, JSON.stringify(v.value)]);
        const b = visits(reparsed, new PathTrie(), UNLIMITED).map((v) => [v.path, JSON.stringify(v.value)]);
        expect(b.sort()).toEqual(a.sort());
      }),
      { numRuns: 300 },
    );
  });
});
