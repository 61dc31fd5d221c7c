// Sampled validation in the offline scan: past a warm-up, a point known to carry personal data has
// one value in `every` checked in full, backing off to one in `maxEvery` while the checks find
// nothing new; nothing is ever taken as clean because of the sampling.
// And the one-pass scan: numbers a double cannot carry are still refused without the text scan up front.
import { describe, expect, it } from 'vitest';
import { EventScanner } from '../../src/pipeline/event-scanner.js';
import { createDetector, loadClassifierSet } from '../../src/detect/index.js';
import { ValueSampling } from '../../src/detect/sampling.js';
import type { PointDetector } from '../../src/detect/types.js';

/** The real detector, with a count of the values it was asked about per last key. */
async function countingDetector(): Promise<{ detector: PointDetector; calls: Map<string, number> }> {
  const detector = createDetector(await loadClassifierSet());
  const calls = new Map<string, number>();
  const detect = detector.detect.bind(detector);
  detector.detect = (node, value) => {
    calls.set(node.key, (calls.get(node.key) ?? 0) + 1);
    return detect(node, value);
  };
  return { detector, calls };
}

const email = (i: number) => `jane.doe${i}@example.com`;

describe('EventScanner sampled validation', () => {
  it('checks every value until a point is known, then about one in `every`', async () => {
    const { detector, calls } = await countingDetector();
    const scanner = new EventScanner(detector, undefined, { warmup: 10, every: 8, maxEvery: 8 });
    for (let i = 0; i < 2000; i++) scanner.scanEvent({ type: 'track', event: 'Signed Up', properties: { email: email(i), plan: `plan ${i}` } }, 'web');
    const checked = calls.get('email')!;
    expect(checked).toBeGreaterThan(10 + 1990 / 8 / 2);
    expect(checked).toBeLessThan(10 + (1990 / 8) * 2);
    // A point with nothing found has every value checked.
    expect(calls.get('plan')).toBe(2000);
    const record = scanner.aggregator.records().find((r) => r.path === 'properties.email')!;
    expect(record).toMatchObject({ category: 'email', count: 2000 });
  });

  it('never takes a value as clean: an unchecked value at a known point counts as the point', async () => {
    const { detector } = await countingDetector();
    const scanner = new EventScanner(detector, undefined, { warmup: 4, every: 1_000_000 });
    for (let i = 0; i < 10; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { card: '4111 1111 1111 1111' } }, 'web');
    // Values that would fail the validator: taken as the known card point, not released as clean.
    for (let i = 0; i < 50; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { card: `not a card ${i}` } }, 'web');
    const record = scanner.aggregator.records().find((r) => r.path === 'properties.card')!;
    expect(record).toMatchObject({ category: 'credit_card_number', classification: 'red', count: 60 });
  });

  it('backs off at a point whose checks find nothing new, up to one in `maxEvery`', async () => {
    const { detector, calls } = await countingDetector();
    const scanner = new EventScanner(detector, undefined, { warmup: 10, every: 8, maxEvery: 128 });
    for (let i = 0; i < 4000; i++) scanner.scanEvent({ type: 'track', event: 'Signed Up', properties: { email: email(i) } }, 'web');
    const checked = calls.get('email')!;
    // At one in 8 throughout it would be ~500; backing off to one in 128 leaves a few dozen.
    expect(checked).toBeGreaterThan(10 + 3990 / 128 / 2);
    expect(checked).toBeLessThan(10 + 3990 / 8 / 4);
    expect(scanner.aggregator.records().find((r) => r.path === 'properties.email')).toMatchObject({ category: 'email', count: 4000 });
  });

  it('still finds drift at a backed-off point, and checks at the base rate again after it', async () => {
    const { detector, calls } = await countingDetector();
    const scanner = new EventScanner(detector, undefined, { warmup: 5, every: 4, maxEvery: 64 });
    for (let i = 0; i < 2000; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { ref: email(i) } }, 'web');
    const before = calls.get('ref')!;
    // A new category: found within a few back-off intervals.
    for (let i = 0; i < 400; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { ref: '4111 1111 1111 1111' } }, 'web');
    expect(scanner.aggregator.records().find((r) => r.path === 'properties.ref')).toMatchObject({ classification: 'red', count: 2400 });
    // The sample that found it reset the interval: the following values are checked more often than one in 64.
    expect(calls.get('ref')! - before).toBeGreaterThan(400 / 64 + 2);
  });

  it('checks every value with every: 1', async () => {
    const { detector, calls } = await countingDetector();
    const scanner = new EventScanner(detector, undefined, { warmup: 0, every: 1 });
    for (let i = 0; i < 300; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { email: email(i) } }, 'web');
    expect(calls.get('email')).toBe(300);
  });

  it('watches for drift: a riskier value at a known point is found by the samples', async () => {
    const { detector } = await countingDetector();
    const scanner = new EventScanner(detector, undefined, { warmup: 5, every: 4 });
    for (let i = 0; i < 20; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { ref: email(i) } }, 'web');
    expect(scanner.aggregator.records().find((r) => r.path === 'properties.ref')).toMatchObject({ category: 'email' });
    for (let i = 0; i < 200; i++) scanner.scanEvent({ type: 'track', event: 'x', properties: { ref: '4111 1111 1111 1111' } }, 'web');
    expect(scanner.aggregator.records().find((r) => r.path === 'properties.ref')).toMatchObject({ classification: 'red' });
  });

  it('refuses bad sampling options', () => {
    expect(() => new ValueSampling({ every: 0 })).toThrow(/positive integer/);
    expect(() => new ValueSampling({ warmup: -1 })).toThrow(/non-negative integer/);
    expect(() => new ValueSampling({ every: 8, maxEvery: 4 })).toThrow(/maxEvery/);
  });
});

describe('EventScanner one-pass decoding', () => {
  it('refuses numbers that overflow or underflow a double, and accepts zeros', async () => {
    const scanner = new EventScanner(createDetector(await loadClassifierSet()));
    expect(scanner.scanText('{"type":"track","event":"x","properties":{"n":1e400}}', 'web')).toMatchObject({ ok: false, code: 'unrepresentable_number' });
    expect(scanner.scanText('{"type":"track","event":"x","properties":{"n":[1,-1e-400]}}', 'web')).toMatchObject({ ok: false, code: 'unrepresentable_number' });
    expect(scanner.scanText('{"type":"track","event":"x","properties":{"n":0,"m":0.0,"e":0e5}}', 'web')).toMatchObject({ ok: true });
    // Refused events add nothing to the inventory.
    expect(scanner.aggregator.records().filter((r) => r.path === 'properties.n[]')).toEqual([]);
  });

  it('still reports personal data in keys, as points of their own', async () => {
    const scanner = new EventScanner(createDetector(await loadClassifierSet()));
    expect(
      scanner.scanText(JSON.stringify({ type: 'track', event: 'x', properties: { recipients: { 'dave@example.com': { status: 'sent' } } } }), 'web'),
    ).toMatchObject({ ok: true });
    const paths = scanner.aggregator.records().map((r) => r.path);
    expect(paths).toContain('properties.recipients.<email>.status');
    expect(paths.join(' ')).not.toContain('dave@');
  });
});
