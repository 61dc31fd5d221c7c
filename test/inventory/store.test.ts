import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { upsertObservations } from '../../src/inventory/store.js';
import { InventoryCache } from '../../src/inventory/store-cache.js';
import { getDataPoint, setClassification, addToInventory, listDataPoints } from '../../src/inventory/review.js';
import { markReviewed } from '../../src/inventory/exceptions.js';
import type { DataPointSignal } from '../../src/inventory/types.js';
import { ENGINES, openTestDb, type TestDb } from '../storage/helpers.js';
import { email, obs } from './fixtures.js';

describe.each(ENGINES)('inventory store (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'inventory');
  });
  afterAll(() => t.close());

  it('signals a new point once, then only adds counts', async () => {
    const first = await upsertObservations(t.db, [
      email('s-new', 'properties.email', {
        count: 3,
        firstSeen: '2024-01-02T00:00:00.000Z',
        lastSeen: '2024-01-03T00:00:00.000Z',
        destinations: ['warehouse'],
      }),
    ]);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: 'new', point: { source: 's-new', category: 'email', classification: 'red', count: 3 } });
    expect(first[0]!.point).not.toHaveProperty('destinations');
    const second = await upsertObservations(t.db, [
      email('s-new', 'properties.email', { count: 2, firstSeen: '2024-01-01T00:00:00.000Z', lastSeen: '2024-01-05T00:00:00.000Z', destinations: ['crm'] }),
    ]);
    expect(second).toEqual([]);
    const point = await getDataPoint(t.db, { source: 's-new', event: 'Order Completed', path: 'properties.email' });
    expect(point).toMatchObject({
      count: 5,
      firstSeen: '2024-01-01T00:00:00.000Z',
      lastSeen: '2024-01-05T00:00:00.000Z',
      destinations: ['crm', 'warehouse'],
      status: 'inbox',
      example: 'j***@example.com',
    });
  });

  it('merges duplicates inside one batch', async () => {
    const signals = await upsertObservations(t.db, [obs({ source: 's-dup', path: 'p', count: 2 }), email('s-dup', 'p', { count: 1 })]);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.point).toMatchObject({ count: 3, classification: 'red', category: 'email' });
  });

  it('gives exactly one of two concurrent writers the new-point signal', async () => {
    const other = await t.second();
    for (let round = 0; round < 5; round++) {
      const batch = [email(`s-race-${round}`), email(`s-race-${round}`, 'properties.user.email'), obs({ source: `s-race-${round}`, path: 'properties.total' })];
      const [a, b] = await Promise.all([upsertObservations(t.db, batch), upsertObservations(other, [...batch].reverse())]);
      const news = [...a, ...b].filter((s) => s.kind === 'new');
      expect(news).toHaveLength(3);
      expect(new Set(news.map((s) => s.point.path)).size).toBe(3);
      const [row] = await t.db.query<{ n: number }>('SELECT sum(count)::int AS n FROM inventory_points WHERE source = $1', [`s-race-${round}`]);
      expect(row!.n).toBe(6);
    }
  });

  it('signals drift when a point starts carrying riskier data', async () => {
    await upsertObservations(t.db, [obs({ source: 's-drift', path: 'properties.note' })]);
    await setClassification(t.db, { source: 's-drift', event: 'Order Completed', path: 'properties.note' }, 'green');
    await addToInventory(t.db, { source: 's-drift', event: 'Order Completed', path: 'properties.note' });

    const signals = await upsertObservations(t.db, [email('s-drift', 'properties.note', { example: 'a***@b.c' })]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      kind: 'drift',
      previous: { category: null, classification: 'green' },
      point: { category: 'email', classification: 'red', count: 2, example: 'a***@b.c' },
    });
    const point = await getDataPoint(t.db, { source: 's-drift', event: 'Order Completed', path: 'properties.note' });
    // Back to review; the older, less risky human decision no longer overrides.
    expect(point).toMatchObject({ status: 'inbox', reviewedClassification: null, effectiveClassification: 'red' });

    // Same or lower risk afterwards: no more drift, classification kept.
    expect(await upsertObservations(t.db, [obs({ source: 's-drift', path: 'properties.note' })])).toEqual([]);
    expect(await getDataPoint(t.db, { source: 's-drift', event: 'Order Completed', path: 'properties.note' })).toMatchObject({
      category: 'email',
      classification: 'red',
    });
  });

  it('signals drift from yellow to red', async () => {
    await upsertObservations(t.db, [obs({ source: 's-y', path: 'p', category: 'zip', classification: 'yellow' })]);
    const signals = await upsertObservations(t.db, [obs({ source: 's-y', path: 'p', category: 'ssn', classification: 'red' })]);
    expect(signals.map((s) => [s.kind, s.previous])).toEqual([['drift', { category: 'zip', classification: 'yellow' }]]);
  });

  it('records drift since review: riskier evidence, a new category, values failing validation', async () => {
    const key = (path: string) => ({ source: 's-since', event: 'Order Completed', path });
    const cat = (category: string, dataCategory: string, classification: 'red' | 'yellow') => ({
      category,
      dataCategory,
      classification,
      count: 1,
      lastSeen: new Date().toISOString(),
    });
    await upsertObservations(t.db, [
      obs({
        source: 's-since',
        path: 'a',
        category: 'zip',
        classification: 'yellow',
        matchedOn: 'value',
        categories: [cat('zip', 'user.contact.postal_code', 'yellow')],
      }),
      email('s-since', 'b', { categories: [cat('email', 'user.contact.email', 'red')] }),
      email('s-since', 'c', { categories: [cat('email', 'user.contact.email', 'red')] }),
      email('s-since', 'd', { categories: [cat('email', 'user.contact.email', 'red')] }),
    ]);
    for (const p of ['a', 'b', 'c', 'd']) await markReviewed(t.db, key(p));
    const drifted = () => listDataPoints(t.db, { source: 's-since', drift: true }).then((ps) => ps.map((p) => [p.path, p.driftReason]));
    expect(await drifted()).toEqual([]);

    await upsertObservations(t.db, [
      // riskier: zip → ssn
      obs({ source: 's-since', path: 'a', category: 'ssn', classification: 'red', matchedOn: 'value', categories: [cat('ssn', 'user.government_id', 'red')] }),
      // a category it never carried, no riskier
      email('s-since', 'b', { categories: [cat('email', 'user.contact.email', 'red'), cat('phone_number', 'user.contact.phone_number', 'red')] }),
      // the key still says email, no value passed the validator this time
      email('s-since', 'c', { matchedOn: 'key', confidence: 0.6, categories: [cat('email', 'user.contact.email', 'red')] }),
      // the same evidence again: no drift
      email('s-since', 'd', { categories: [cat('email', 'user.contact.email', 'red')] }),
    ]);
    expect(await drifted()).toEqual([
      ['a', 'classification'],
      ['b', 'category'],
      ['c', 'validation'],
    ]);
    expect((await listDataPoints(t.db, { source: 's-since', drift: false })).map((p) => p.path)).toEqual(['d']);
    // A review clears it; the reason stays on the point as history.
    await markReviewed(t.db, key('c'));
    expect((await drifted()).map(([p]) => p)).toEqual(['a', 'b']);
    expect(await getDataPoint(t.db, key('c'))).toMatchObject({ driftReason: 'validation' });
  });

  describe('InventoryCache', () => {
    it('batches observations in memory and flushes deltas; the hot path does no I/O', async () => {
      const received: DataPointSignal[] = [];
      const cache = new InventoryCache(t.db, { flushIntervalMs: 60_000, urgentFlushMs: 60_000, onSignals: (s) => void received.push(...s) });
      await cache.load();
      const spy = { calls: 0 };
      const original = t.db.query.bind(t.db);
      t.db.query = ((sql: string, params?: readonly unknown[]) => {
        spy.calls++;
        return original(sql, params);
      }) as typeof t.db.query;
      try {
        for (let i = 0; i < 100; i++) cache.observe(email('s-cache', 'properties.email', { destinations: [i % 2 ? 'a' : 'b'] }));
        expect(spy.calls).toBe(0);
        expect(cache.pendingCount).toBe(1);
      } finally {
        t.db.query = original;
      }
      const signals = await cache.flush();
      expect(signals).toHaveLength(1);
      expect(received).toHaveLength(1);
      expect(cache.isKnown({ source: 's-cache', event: 'Order Completed', path: 'properties.email' })).toBe(true);
      for (let i = 0; i < 10; i++) cache.observe(email('s-cache'));
      expect(await cache.stop()).toEqual([]);
      expect(await getDataPoint(t.db, { source: 's-cache', event: 'Order Completed', path: 'properties.email' })).toMatchObject({
        count: 110,
        destinations: ['a', 'b'],
      });
    });

    it('flushes on its own soon after a possibly-new point', async () => {
      const received: DataPointSignal[] = [];
      const cache = new InventoryCache(t.db, { flushIntervalMs: 60_000, urgentFlushMs: 10, onSignals: (s) => void received.push(...s) });
      cache.start();
      cache.observe(email('s-urgent'));
      await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5_000 });
      await cache.stop();
      expect(received[0]!.kind).toBe('new');
    });

    it('keeps deltas when a flush fails', async () => {
      const cache = new InventoryCache(t.db, { flushIntervalMs: 60_000, urgentFlushMs: 60_000 });
      cache.observe(email('s-fail', 'p', { count: 4 }));
      await t.db.exec('ALTER TABLE inventory_points RENAME TO inventory_points_away');
      await expect(cache.flush()).rejects.toThrow();
      await t.db.exec('ALTER TABLE inventory_points_away RENAME TO inventory_points');
      cache.observe(email('s-fail', 'p', { count: 1 }));
      expect(await cache.flush()).toHaveLength(1);
      expect(await getDataPoint(t.db, { source: 's-fail', event: 'Order Completed', path: 'p' })).toMatchObject({ count: 5 });
    });
  });
});
