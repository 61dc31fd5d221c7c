// The inventory cache's bound on distinct event names: names come from producers, so past
// `maxEventNames` (names already in the inventory included) points of new names are recorded under
// "(other event names)", with a metric callback and one warning that names no event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERFLOW_EVENT, OVERFLOW_PATH } from '../../src/inventory/aggregate.js';
import { InventoryCache, type OverflowBound } from '../../src/inventory/store-cache.js';
import { ENGINES, openTestDb, type TestDb } from '../storage/helpers.js';
import { email, obs } from './fixtures.js';

describe.each(ENGINES)('InventoryCache bounds (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'inventory_cache_bounds');
  });
  afterAll(() => t.close());

  it('records names past the bound under the overflow name, counting names already stored', async () => {
    const overflows: Array<[OverflowBound, number]> = [];
    const warnings: Array<{ obj: object; msg?: string | undefined }> = [];
    const logger = { info() {}, error() {}, warn: (obj: object, msg?: string) => warnings.push({ obj, msg }) };
    const cache = new InventoryCache(t.db, { maxEventNames: 2, logger, onOverflow: (bound, n) => overflows.push([bound, n]) });
    await cache.load();
    for (let i = 0; i < 50; i++) cache.observe(email('web', 'properties.email', { event: `Secret name ${i}`, count: 2 }));
    cache.observe(obs({ source: 'web', event: 'Secret name 0', path: OVERFLOW_PATH, count: 3 }));
    // A point of an admitted name keeps its name, even past the bound.
    cache.observe(obs({ source: 'web', event: 'Secret name 1', path: 'properties.total' }));
    expect(cache.size).toEqual({ known: 0, pending: 5, eventNames: 2 });
    await cache.flush();

    const rows = await t.db.query<{ event: string; path: string; count: string | number }>(
      'SELECT event, path, count FROM inventory_points ORDER BY event, path',
    );
    expect(rows.map((r) => [r.event, r.path, Number(r.count)])).toEqual([
      [OVERFLOW_EVENT, 'properties.email', 96],
      ['Secret name 0', OVERFLOW_PATH, 3],
      ['Secret name 0', 'properties.email', 2],
      ['Secret name 1', 'properties.email', 2],
      ['Secret name 1', 'properties.total', 1],
    ]);
    expect(overflows.filter(([b]) => b === 'event_names').reduce((n, [, v]) => n + v, 0)).toBe(96);
    expect(overflows.filter(([b]) => b === 'paths')).toEqual([['paths', 3]]);
    expect(warnings.map((w) => (w.obj as { bound: string }).bound)).toEqual(['event_names', 'paths']);
    expect(JSON.stringify(warnings)).not.toMatch(/Secret name/);

    // Another process (or a restart) loads the names already stored: they fill the bound.
    const later = new InventoryCache(t.db, { maxEventNames: 2 });
    await later.load();
    later.observe(email('web', 'properties.email', { event: 'Newcomer' }));
    later.observe(email('web', 'properties.phone', { event: 'Secret name 1' }));
    await later.flush();
    const events = await t.db.query<{ event: string }>('SELECT DISTINCT event FROM inventory_points ORDER BY event');
    expect(events.map((e) => e.event)).toEqual([OVERFLOW_EVENT, 'Secret name 0', 'Secret name 1']);
    expect(later.size.eventNames).toBe(3);
  });
});
