import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifierSchema } from '../../src/detect/classifier-schema.js';
import { compileClassifier, type CompiledClassifier } from '../../src/detect/compile.js';
import { checkValue } from '../../src/detect/value-check.js';
import { longestDigitRun, longestHexRun, ValueScanner } from '../../src/detect/value-scanner.js';

// The scanner's prefilters are an optimisation (bitmask tables, one classifier checked without the
// RE2 set): whatever they skip must be what the documented thresholds rule out. This spells the
// documented rule out plainly and holds the scanner to it on generated classifier sets and values.

const PATTERNS = ['\\d{3,}', '[a-c]+@x', ':\\d', '\\.\\d+', 'x\\d+', '[+(]\\d', '%4', '-\\d-'];
// Digits weigh more: runs of exactly a threshold's length are the edge cases.
const ALPHABET = '01234567890123456789@.:-+( /_,%abcXYZx';

const classifierArb = fc.record({
  classification: fc.constantFrom('red', 'yellow', 'green'),
  priority: fc.integer({ min: 0, max: 3 }),
  patterns: fc.subarray(PATTERNS, { minLength: 1, maxLength: 3 }),
  types: fc.constantFrom(['string'], ['string', 'number']),
  minLength: fc.integer({ min: 1, max: 20 }),
  maxLength: fc.integer({ min: 5, max: 600 }),
  minDigits: fc.integer({ min: 0, max: 12 }),
  minHexRun: fc.integer({ min: 0, max: 12 }),
  requireAnyOf: fc.constantFrom('', '@', '.:', '-+(', '%', 'X', '@Z'),
  hints: fc.constantFrom([], ['ab'], ['X1', ':9']),
});

type ClassifierSpec = typeof classifierArb extends fc.Arbitrary<infer T> ? T : never;

function compileAll(specs: ClassifierSpec[]): CompiledClassifier[] {
  return specs.map((spec, i) => {
    const { classification, priority, ...value } = spec;
    const definition = classifierSchema.parse({ id: `c${i}`, name: `c${i}`, classification, category: 'user', priority, value: { ...value, scan: true } });
    return compileClassifier(definition, 'generated.yaml');
  });
}

const RISK = { red: 2, yellow: 1, green: 0 } as const;

/** The documented rule: the riskiest (then highest-priority, then first) classifier whose thresholds pass and whose patterns and validators accept the value. */
function reference(classifiers: CompiledClassifier[], text: string, fromNumber: boolean): string | null {
  const ordered = classifiers
    .map((c, i) => ({ c, i }))
    .sort((a, b) => RISK[b.c.classification] - RISK[a.c.classification] || b.c.priority - a.c.priority || a.i - b.i);
  for (const { c } of ordered) {
    const v = c.value;
    if (text.length < v.minLength || text.length > v.maxLength) continue;
    if (longestDigitRun(text) < v.minDigits || longestHexRun(text) < v.minHexRun) continue;
    if (v.requireAnyOf !== '' && ![...v.requireAnyOf].some((ch) => text.includes(ch))) continue;
    if (v.hints.length > 0 && !v.hints.some((h) => text.includes(h))) continue;
    if (fromNumber && !v.types.has('number')) continue;
    if (checkValue(c, text, 'scan') === 'valid') return c.id;
  }
  return null;
}

// A leading `x` keeps values clear of the shapes the scanner skips by design (UUIDs, timestamps, hex digests).
const textArb = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 40 }).map((s) => `x${s}`);

describe('value scanner prefilters', () => {
  /** Generated classifier sets of `count` classifiers scan generated texts exactly as `reference` says. */
  const holdsToReference = (count: { minLength: number; maxLength: number }, numRuns: number) =>
    fc.assert(
      fc.property(fc.array(classifierArb, count), fc.array(textArb, { minLength: 1, maxLength: 20 }), (specs, texts) => {
        const classifiers = compileAll(specs);
        const scanner = new ValueScanner(classifiers);
        for (const text of texts) expect(scanner.scan(text, false, null)?.id ?? null).toBe(reference(classifiers, text, false));
      }),
      { numRuns },
    );

  it('find exactly what the documented thresholds, patterns and validators allow', () => {
    holdsToReference({ minLength: 1, maxLength: 6 }, 300);
  });

  it('hold beyond the 31 classifiers the bitmasks cover', () => {
    holdsToReference({ minLength: 33, maxLength: 40 }, 30);
  });

  it('take only number-typed classifiers for digits that came as a JSON number', () => {
    fc.assert(
      fc.property(fc.array(classifierArb, { minLength: 1, maxLength: 6 }), fc.bigInt({ min: 100_000n, max: 9_007_199_254_740_991n }), (specs, n) => {
        const classifiers = compileAll(specs);
        const scanner = new ValueScanner(classifiers);
        const text = String(n);
        expect(scanner.scan(text, true, null)?.id ?? null).toBe(reference(classifiers, text, true));
      }),
      { numRuns: 150 },
    );
  });

  it('leave out classifiers whose value confidence is below their threshold', () => {
    const [below, at] = ['below', 'at'].map((id, i) =>
      compileClassifier(
        classifierSchema.parse({
          id,
          name: id,
          classification: 'red',
          category: 'user',
          value: { patterns: ['\\d{3,}'], scan: true },
          confidence: { value: 0.5 - 0.1 * (1 - i), threshold: 0.5 },
        }),
        'generated.yaml',
      ),
    );
    expect(new ValueScanner([below!]).size).toBe(0);
    expect(new ValueScanner([below!]).scan('x123', false, null)).toBeNull();
    expect(new ValueScanner([below!, at!]).scan('x123', false, null)).toBe(at);
  });

  it('leave out classifiers not believed under the key', () => {
    const [digits, dotted] = compileAll([
      {
        classification: 'red',
        priority: 0,
        patterns: ['\\d{3,}'],
        types: ['string'],
        minLength: 1,
        maxLength: 100,
        minDigits: 3,
        minHexRun: 0,
        requireAnyOf: '',
        hints: [],
      },
      {
        classification: 'yellow',
        priority: 0,
        patterns: ['\\.\\d+'],
        types: ['string'],
        minLength: 1,
        maxLength: 100,
        minDigits: 0,
        minHexRun: 0,
        requireAnyOf: '.:',
        hints: [],
      },
    ]);
    const scanner = new ValueScanner([digits!, dotted!]);
    expect(scanner.scan('x123.4', false, null)).toBe(digits);
    expect(scanner.scan('x123.4', false, new Set([digits!]))).toBe(dotted);
    expect(scanner.scan('x123.4', false, new Set([digits!, dotted!]))).toBeNull();
  });
});
