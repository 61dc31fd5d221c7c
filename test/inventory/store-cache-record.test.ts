// InventoryCache.record(): the engine's path, where a batch's counts must be written before its
// offsets are committed. Concurrent batches share one flush; a failed flush fails every batch
// waiting on it and keeps none of their deltas (they are recorded again on redelivery).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryCache } from '../../src/inventory/store-cache.js';
import { ENGINES, openTestDb, type TestDb } from '../storage/helpers.js';
import { obs } from './fixtures.js';

describe.each(ENGINES)('InventoryCache.record (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'inventory_record');
  });
  afterAll(() => t.close());

  const countOf = async (source: string) =>
    (await t.db.query<{ n: number | null }>('SELECT sum(count)::int AS n FROM inventory_points WHERE source = $1', [source]))[0]!.n ?? 0;

  it('resolves once the counts of every batch recorded together are written', async () => {
    // The timers never fire during the test: only record() writes.
    const flushes: number[] = [];
    const cache = new InventoryCache(t.db, { flushIntervalMs: 600_000, urgentFlushMs: 600_000, onFlushed: (points) => flushes.push(points) });
    await Promise.all(Array.from({ length: 5 }, () => cache.record([obs({ source: 's-rec', path: 'properties.total', count: 2 })])));
    expect(await countOf('s-rec')).toBe(10);
    // Five batches, at most two flushes (the first takes what is pending; the rest share the next), one point each.
    expect(flushes.length).toBeLessThanOrEqual(2);
    expect(flushes.every((points) => points === 1)).toBe(true);
    expect(cache.pendingCount).toBe(0);
    const [row] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inventory_points WHERE source = $1', ['s-rec']);
    expect(row!.n).toBe(1);
    await cache.stop();
  });

  it('a failed flush rejects its batches and drops their deltas: retried, they are counted once', async () => {
    const cache = new InventoryCache(t.db, { flushIntervalMs: 600_000, urgentFlushMs: 600_000 });
    const batch = [obs({ source: 's-fail', path: 'properties.total', count: 3 })];
    // A real failure of the database: the table is gone for a moment.
    await t.db.query('ALTER TABLE inventory_points RENAME TO inventory_points_away');
    let failures = 0;
    try {
      for (let retry = 0; retry < 3; retry++) await cache.record(batch).catch(() => failures++);
    } finally {
      await t.db.query('ALTER TABLE inventory_points_away RENAME TO inventory_points');
    }
    expect(failures).toBe(3);
    expect(cache.pendingCount).toBe(0);
    // The redelivered batch, recorded again once the database is back: counted once, not four times.
    await cache.record(batch);
    expect(await countOf('s-fail')).toBe(3);
    await cache.stop();
  });

  it('observe() deltas are still kept for the next flush when one fails', async () => {
    const cache = new InventoryCache(t.db, { flushIntervalMs: 600_000, urgentFlushMs: 600_000 });
    cache.observe(obs({ source: 's-keep', path: 'properties.total', count: 4 }));
    await t.db.query('ALTER TABLE inventory_points RENAME TO inventory_points_away');
    try {
      await expect(cache.flush()).rejects.toThrow();
    } finally {
      await t.db.query('ALTER TABLE inventory_points_away RENAME TO inventory_points');
    }
    expect(cache.pendingCount).toBe(1);
    await cache.stop();
    expect(await countOf('s-keep')).toBe(4);
  });
});
