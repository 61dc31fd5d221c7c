import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatten, PathTrie, type Leaf, type SegmentEvent } from '../../src/events/index.js';
import { byValue, C, enforce, engineFor, HASHING } from './helpers.js';

/**
 * For random events: blocked data never reaches any output (nor the stored event), and green or
 * unclassified fields nobody selected pass unchanged, in order, to every destination.
 * String leaves carry their category in the value (`v7:email`), so the detector is a pure
 * function of the value and every string is unique (a leaked value is unambiguous).
 */
type Shape = { kind: 'text'; category: 'none' | 'email' | 'card' | 'country' } | number | boolean | null | Shape[] | { [key: string]: Shape };

const { tree } = fc.letrec<{ tree: Shape; leaf: Shape }>((tie) => ({
  leaf: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('text' as const),
        category: fc.constantFrom('none' as const, 'email' as const, 'card' as const, 'country' as const),
      }),
    },
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ),
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'k1', 'items', 'x.y'), tie('tree'), { maxKeys: 4 }),
  ),
}));

function materialize(shape: Shape, counter: { n: number }): unknown {
  if (shape === null || typeof shape !== 'object') return shape;
  if (Array.isArray(shape)) return shape.map((s) => materialize(s, counter));
  if (shape.kind === 'text' && typeof shape.category === 'string') return `v${counter.n++}:${shape.category}`;
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, materialize(v as Shape, counter)]));
}

const category = (value: Leaf) => (typeof value === 'string' ? value.slice(value.lastIndexOf(':') + 1) : 'none');
const detect = byValue((value) => ({ email: C.email, card: C.card, country: C.country })[category(value) as 'email']);
const underK1 = (path: string) => path === 'properties.k1' || path.startsWith('properties.k1.') || path.startsWith('properties.k1[');
const blocked = (path: string, value: Leaf) => underK1(path) || category(value) === 'card';
const isGreen = (path: string, value: Leaf) =>
  !blocked(path, value) && category(value) !== 'email' && !(typeof value === 'string' && value.startsWith('hmac:'));

function leaves(value: Record<string, unknown>): Array<[string, Leaf]> {
  const out: Array<[string, Leaf]> = [];
  flatten(new PathTrie().root, value, (node, leaf) => out.push([node.path, leaf]), { maxBytes: Infinity, maxDepth: 64, maxLeaves: 100_000 });
  return out;
}

const engine = engineFor({
  hashing: HASHING,
  policies: [
    { name: 'block-red', match: { classifications: ['red'] }, action: 'block' },
    { name: 'block-k1', match: { paths: ['properties.k1'] }, action: 'block' },
    { name: 'hash-emails-for-b', destinations: ['b'], match: { categories: ['email'] }, action: 'hash' },
  ],
  destinations: [
    { name: 'a', topic: 'out.a', allow: { classifications: ['green'] } },
    { name: 'b', topic: 'out.b' },
    { name: 'c', topic: 'out.c', allow: { classifications: ['green', 'yellow'] } },
  ],
});

describe('enforcement invariants (property)', () => {
  it('blocked paths never appear in any output; green unselected fields pass unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'k1', 'items'), tree, { maxKeys: 4 }), (shape) => {
        const properties = materialize(shape, { n: 0 }) as Record<string, unknown>;
        const event: SegmentEvent = { type: 'track', event: 'E', properties };
        const original = leaves(structuredClone(event));
        const trie = new PathTrie();
        const { result, out } = enforce(engine, event, detect, 'web', trie);

        expect(result.dropped).toBe(false);
        expect(Object.keys(out)).toEqual(['a', 'b', 'c']);
        const green = original.filter(([p, v]) => isGreen(p, v));
        for (const name of ['a', 'b', 'c']) {
          const seen = leaves(out[name]!);
          for (const [path, value] of seen) expect(blocked(path, value), `${name}: ${path}`).toBe(false);
          expect(seen.filter(([p, v]) => isGreen(p, v))).toEqual(green);
        }
        // b gets every surviving email as its pseudonym, in place.
        const emails = original.filter(([p, v]) => !blocked(p, v) && category(v) === 'email').map(([p, v]) => [p, engine.pseudonymize(v)]);
        expect(leaves(out.b!).filter(([, v]) => typeof v === 'string' && v.startsWith('hmac:'))).toEqual(emails);
        // a (green only) gets no email at all; c gets them raw.
        expect(leaves(out.a!).some(([, v]) => category(v) === 'email')).toBe(false);
        expect(leaves(out.c!).filter(([, v]) => category(v) === 'email')).toEqual(original.filter(([p, v]) => !blocked(p, v) && category(v) === 'email'));
        // The caller's event keeps everything but the source-level blocks.
        expect(leaves(event)).toEqual(original.filter(([p, v]) => !blocked(p, v)));
      }),
      { numRuns: 300 },
    );
  });
});
