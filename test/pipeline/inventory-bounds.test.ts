// The running pipeline's inventory and run tally under hostile producers: random event names and
// random keys. Past `inventory.maxEventNames`, new names are recorded under "(other event names)"
// (as the offline scan does); past the path trie's bound, values of transient nodes go to one
// "(other paths)" point per event name. Memory held stays the same however many events come, and
// the overflow shows in a metric and a warning that names neither the event nor the path.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { PathTrie } from '../../src/events/index.js';
import { OVERFLOW_EVENT, OVERFLOW_PATH } from '../../src/inventory/aggregate.js';
import { listDataPoints } from '../../src/inventory/review.js';
import { createLogger } from '../../src/core/logger.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { DurableState } from '../../src/state/durable.js';
import { LocalProcessor } from '../../src/pipeline/processor.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { formatSummary, summarize } from '../../src/app/summary.js';
import { BatchTap } from '../../src/pipeline/tap.js';
import { DataPointTally } from '../../src/pipeline/walker.js';
import { emptyReport } from '../../src/pipeline/report.js';
import { ENGINES, testStore, writeEngineConfig, type TestStore } from '../integration/helpers.js';
import { message, policyYaml, writeConfig } from './helpers.js';

const TOPICS = { warehouse: 'wh', analytics: 'an', ads: 'ads' };

/** An event whose name and one key are minted per event (a UUID), both carrying an email. */
function hostile(name = `Viewed ${randomUUID()}`, key = `k-${randomUUID()}`): Record<string, unknown> {
  return { type: 'track', event: name, messageId: randomUUID(), userId: 'user-1', properties: { email: 'ada@example.com', [key]: 'grace@example.com' } };
}

/** An event of a known name with a minted key. */
const known = (key = `k-${randomUUID()}`) => hostile('Order Completed', key);

function capture(): Writable & { lines: () => Array<Record<string, unknown>>; text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { lines: () => Array<Record<string, unknown>>; text: string };
  stream.text = '';
  stream.lines = () =>
    stream.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return stream;
}

describe('DataPointTally bounds', () => {
  it('files names past its bound and points past the path bound under the overflow entries, without growing per event', async () => {
    const { config } = await writeConfig(policyYaml(TOPICS));
    const controls = (await buildControls(config)).controls;
    const tally = new DataPointTally(3);
    // Room for the fixed paths (type, event, messageId, userId, properties, properties.email) and a few more.
    const trie = new PathTrie(12);
    const processor = new LocalProcessor(jsonDecoder, () => 'web', trie, tally);
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) await processor.process(controls, [message(hostile()), message(known())]);
    };
    await run(20);
    expect(trie.size).toBe(12);
    const held = tally.entries().length;
    const overflowBefore = { ...tally.overflow };
    await run(200);
    // Entries held do not grow with events; the overflow counts do.
    expect(tally.entries().length).toBe(held);
    expect(tally.overflow.eventNames).toBeGreaterThan(overflowBefore.eventNames);
    expect(tally.overflow.paths).toBeGreaterThan(overflowBefore.paths);

    const entries = tally.entries();
    const names = new Set(entries.map((e) => e.event));
    expect(names.size).toBeLessThanOrEqual(3 + 1);
    expect(names).toContain(OVERFLOW_EVENT);
    expect(names).toContain('Order Completed');
    // Values past the path bound still count, with their classification, under one path per name.
    expect(entries).toContainEqual({ event: 'Order Completed', path: OVERFLOW_PATH, classifier: 'email', classification: expect.any(String) });
    expect(entries).toContainEqual({ event: 'Order Completed', path: 'properties.email', classifier: 'email', classification: expect.any(String) });

    const summary = summarize(emptyReport(), tally, new Map());
    expect(summary.overflow).toEqual(tally.overflow);
    expect(formatSummary(summary)).toContain(`past bounds: ${tally.overflow.eventNames} values under "${OVERFLOW_EVENT}"`);
  });
});

describe('BatchTap past the path bound', () => {
  it('folds transient nodes into one overflow point per event name: the batch holds no entry per event', async () => {
    const { config } = await writeConfig(policyYaml(TOPICS));
    const controls = (await buildControls(config)).controls;
    const tap = new BatchTap({ store: false, inventory: true, hasher: null, reviews: () => null });
    const trie = new PathTrie(8);
    const processor = new LocalProcessor(jsonDecoder, () => 'web', trie, null, { tap });
    // Fill the trie's bound first.
    await processor.process(controls, [message(known()), message(known())]);
    expect(trie.size).toBe(8);
    const small = (await processor.process(
      controls,
      Array.from({ length: 5 }, () => message(known())),
    ))!.tap!.observations;
    const large = (await processor.process(
      controls,
      Array.from({ length: 500 }, () => message(known())),
    ))!.tap!.observations;
    expect(large.map((o) => o.path).sort()).toEqual(small.map((o) => o.path).sort());
    const overflow = large.find((o) => o.path === OVERFLOW_PATH)!;
    // One value per event past the bound, the riskiest classification and a masked example kept.
    expect(overflow).toMatchObject({ event: 'Order Completed', count: 500, category: 'email' });
    expect(overflow.destinations).toContain('warehouse');
    expect(overflow.example).not.toContain('grace@example.com');
    expect(large.find((o) => o.path === 'properties.email')).toMatchObject({ count: 500 });
  });
});

describe.each(ENGINES)('stateful pipeline inventory bounds (%s)', (engine) => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });

  async function open(store: TestStore, dir?: string) {
    const { config } = await writeEngineConfig(
      `source: web\n${policyYaml(TOPICS)}\n${store.yaml}\ninventory: { flushIntervalMs: 60000, maxEventNames: 4 }\n`,
      dir,
    );
    const logs = capture();
    const registry = new Registry();
    const durable = (await DurableState.open(config, { logger: createLogger({ destination: logs, level: 'warn' }), env: {}, registry }))!;
    const controls = (await buildControls(config)).controls;
    // A small path bound: the fixed paths of these events fit, minted keys soon do not.
    const processor = new LocalProcessor(jsonDecoder, () => 'web', new PathTrie(16), null, durable.processing());
    const feed = async (events: Array<Record<string, unknown>>) => {
      const result = await processor.process(
        controls,
        events.map((e) => message(e)),
      );
      durable.observe(result!.tap);
    };
    return { durable, feed, logs, registry };
  }

  it('records names past maxEventNames under the overflow name, keeps memory bounded and says so without naming them', async () => {
    const store = await testStore(engine, 'inventory_bounds');
    stores.push(store);
    const { durable, feed, logs, registry } = await open(store);
    // close() is idempotent: called early on a passing run, here when an expectation fails.
    onTestFinished(() => durable.close());
    const minted: string[] = [];
    const batch = () =>
      Array.from({ length: 20 }, (_, i) => {
        const event = i % 2 === 0 ? known() : hostile();
        minted.push(String(event.event), ...Object.keys(event.properties as object).filter((k) => k.startsWith('k-')));
        return event;
      });
    await feed(batch());
    await durable.inventory!.flush();
    const held = durable.inventory!.size;
    for (let round = 0; round < 20; round++) await feed(batch());
    await durable.inventory!.flush();
    // 400 events, ~200 distinct names and 400 distinct keys later: nothing more held.
    expect(durable.inventory!.size).toEqual(held);
    expect(held.eventNames).toBeLessThanOrEqual(4 + 1);

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/segmentloom_inventory_overflow_total\{bound="event_names"\} [1-9]/);
    expect(metrics).toMatch(/segmentloom_inventory_overflow_total\{bound="paths"\} [1-9]/);

    const points = await listDataPoints(durable.storage.db);
    const names = new Set(points.map((p) => p.event));
    expect(names.size).toBeLessThanOrEqual(4 + 1);
    expect(names).toContain(OVERFLOW_EVENT);
    expect(names).toContain('Order Completed');
    const overflow = points.find((p) => p.event === OVERFLOW_EVENT && p.path === 'properties.email')!;
    expect(overflow.classification).not.toBe('green');
    // Every value is counted somewhere: 420 events, one email each at properties.email.
    expect(points.filter((p) => p.path === 'properties.email').reduce((n, p) => n + p.count, 0)).toBe(420);
    // Minted keys past the path bound: one point per name, not one per key.
    const pastPaths = points.filter((p) => p.path === OVERFLOW_PATH);
    expect(pastPaths.length).toBeGreaterThan(0);
    expect(pastPaths.length).toBeLessThanOrEqual(names.size);
    expect(points.filter((p) => p.path.startsWith('properties.k-')).length).toBeLessThan(16);
    await durable.close();

    const warnings = logs.lines().filter((l) => l.bound !== undefined);
    expect(warnings.map((w) => [w.level, w.bound]).sort()).toEqual([
      ['warn', 'event_names'],
      ['warn', 'paths'],
    ]);
    for (const value of [...minted, 'ada@example.com', 'grace@example.com']) expect(logs.text).not.toContain(value);

    // A restarted engine counts the names already in the inventory: a new name still overflows.
    const again = await open(store);
    try {
      await again.feed([hostile('Brand New Name')]);
      await again.durable.inventory!.flush();
      const after = await listDataPoints(again.durable.storage.db);
      expect(after.some((p) => p.event === 'Brand New Name')).toBe(false);
      expect(new Set(after.map((p) => p.event)).size).toBeLessThanOrEqual(4 + 1);
    } finally {
      await again.durable.close();
    }
  }, 120_000);
});
