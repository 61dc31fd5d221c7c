import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataPoint } from '../../src/inventory/review.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { InventoryCache } from '../../src/inventory/store-cache.js';
import { ENGINES, openTestDb, type TestDb } from '../storage/helpers.js';
import { email, obs } from './fixtures.js';

// Event names and keys come from producers: a NUL character, or any value the database refuses,
// must neither fail the flush for ever nor hold back the other points of the batch.
describe.each(ENGINES)('inventory store, hostile text (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'inv_hostile');
  });
  afterAll(() => t.close());

  it('stores a point whose event name and path hold NUL, with U+FFFD in their place', async () => {
    const signals = await upsertObservations(t.db, [email('s-nul', 'properties.a\u0000b', { event: 'Sign\u0000up', example: 'x\u0000***' })]);
    expect(signals).toHaveLength(1);
    const point = await getDataPoint(t.db, { source: 's-nul', event: 'Sign\uFFFDup', path: 'properties.a\uFFFDb' });
    expect(point).toMatchObject({ count: 1, category: 'email', example: 'x\uFFFD***' });
  });

  it('writes the rest of a flush when one point is refused, and drops only that one', async () => {
    const rejected: number[] = [];
    const cache = new InventoryCache(t.db, { flushIntervalMs: 60_000, urgentFlushMs: 60_000, onRejected: (n) => void rejected.push(n) });
    cache.observe(obs({ source: 's-iso', path: 'properties.good' }));
    // Not a time: PostgreSQL refuses it (SQLSTATE 22007), like it refused NUL before.
    cache.observe(obs({ source: 's-iso', path: 'properties.bad', firstSeen: 'not a time', lastSeen: 'not a time' }));
    cache.observe(email('s-iso', 'properties.email\u0000'));
    const signals = await cache.flush();
    expect(signals.map((s) => s.point.path).sort()).toEqual(['properties.email\uFFFD', 'properties.good']);
    expect(rejected).toEqual([1]);
    expect(cache.pendingCount).toBe(0);
    // Later points are recorded: nothing is stuck.
    cache.observe(obs({ source: 's-iso', path: 'properties.later' }));
    expect(await cache.flush()).toHaveLength(1);
    const [row] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inventory_points WHERE source = $1', ['s-iso']);
    expect(row!.n).toBe(3);
  });
});
