import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryToCsv, csvCell, INVENTORY_CSV_COLUMNS } from '../../src/inventory/csv.js';
import {
  addToInventory,
  destinationsForCategory,
  effectiveClassifications,
  reviewedClassifications,
  reviewsVersion,
  listDataPoints,
  listInbox,
  setClassification,
  topRedSources,
} from '../../src/inventory/review.js';
import { upsertObservations, type StoredDataPoint } from '../../src/inventory/store.js';
import { ENGINES, openTestDb, type TestDb } from '../storage/helpers.js';
import { email, obs } from './fixtures.js';

describe.each(ENGINES)('inventory review (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'review');
    await upsertObservations(t.db, [
      email('web', 'properties.email', { destinations: ['warehouse', 'crm'] }),
      email('web', 'context.traits.email'),
      obs({
        source: 'web',
        path: 'context.ip',
        category: 'ip_address',
        dataCategory: 'user.device.ip_address',
        classification: 'yellow',
        destinations: ['analytics', 'warehouse'],
      }),
      obs({
        source: 'ios',
        path: 'context.ip',
        category: 'ip_address',
        dataCategory: 'user.device.ip_address',
        classification: 'yellow',
        destinations: ['analytics'],
      }),
      email('ios', 'traits.email'),
      email('server', 'properties.a'),
      email('server', 'properties.b'),
      email('server', 'properties.c'),
      obs({ source: 'server', path: 'properties.total' }),
    ]);
  });
  afterAll(() => t.close());

  const key = (source: string, path: string) => ({ source, event: 'Order Completed', path });

  it('lists the inbox, classifies and accepts points', async () => {
    expect(await listInbox(t.db)).toHaveLength(9);
    const reviewed = await setClassification(t.db, key('server', 'properties.total'), 'yellow');
    expect(reviewed).toMatchObject({ classification: 'green', reviewedClassification: 'yellow', effectiveClassification: 'yellow', status: 'inbox' });
    expect(reviewed!.reviewedAt).not.toBeNull();
    const accepted = await addToInventory(t.db, key('server', 'properties.total'));
    expect(accepted).toMatchObject({ status: 'inventory', reviewedClassification: 'yellow' });
    await addToInventory(t.db, key('server', 'properties.c'), 'yellow');
    expect(await listInbox(t.db)).toHaveLength(7);
    expect((await listDataPoints(t.db, { status: 'inventory' })).map((p) => p.path)).toEqual(['properties.c', 'properties.total']);
    expect(await setClassification(t.db, key('nope', 'x'), 'red')).toBeNull();
    await expect(setClassification(t.db, key('web', 'context.ip'), 'purple' as never)).rejects.toThrow(/must be one of/);
  });

  it('filters by source, effective classification and category (prefix aware)', async () => {
    // Red first (traits.email), then yellow (context.ip).
    expect((await listDataPoints(t.db, { source: 'ios' })).map((p) => p.path)).toEqual(['traits.email', 'context.ip']);
    expect((await listDataPoints(t.db, { classification: 'yellow' })).map((p) => `${p.source}:${p.path}`)).toEqual([
      'ios:context.ip',
      'server:properties.c',
      'server:properties.total',
      'web:context.ip',
    ]);
    expect(await listDataPoints(t.db, { category: 'user.device' })).toHaveLength(2);
    expect(await listDataPoints(t.db, { category: 'ip_address' })).toHaveLength(2);
    expect(await listDataPoints(t.db, { category: 'user_device' })).toHaveLength(0); // '_' is not a wildcard
    expect(await listDataPoints(t.db, { limit: 2, offset: 1 })).toHaveLength(2);
  });

  it('filters by exact path in SQL, before limit and offset', async () => {
    const at = (filters: Parameters<typeof listDataPoints>[1]) => listDataPoints(t.db, filters).then((ps) => ps.map((p) => `${p.source}:${p.path}`));
    expect(await at({ path: 'context.ip' })).toEqual(['ios:context.ip', 'web:context.ip']);
    expect(await at({ path: 'context.ip', limit: 1, offset: 1 })).toEqual(['web:context.ip']);
    expect(await at({ path: 'context_ip' })).toEqual([]); // '_' is not a wildcard
    expect(await at({ path: 'context.%' })).toEqual([]);
  });

  it('serves effective classifications (reviewed overrides recommended)', async () => {
    const all = await effectiveClassifications(t.db);
    expect(all).toHaveLength(9);
    expect(all.find((p) => p.source === 'server' && p.path === 'properties.c')).toEqual({
      source: 'server',
      event: 'Order Completed',
      path: 'properties.c',
      category: 'email',
      classification: 'yellow',
      reviewed: true,
    });
    expect(all.find((p) => p.source === 'web' && p.path === 'properties.email')).toMatchObject({ classification: 'red', reviewed: false });
  });

  it('ranks sources by red data points', async () => {
    expect(await topRedSources(t.db)).toEqual(
      [
        { source: 'web', redPoints: 2 },
        { source: 'server', redPoints: 2 },
        { source: 'ios', redPoints: 1 },
      ].sort((a, b) => b.redPoints - a.redPoints || a.source.localeCompare(b.source)),
    );
    expect(await topRedSources(t.db, { limit: 1 })).toHaveLength(1);
  });

  it('tells which destinations receive a category', async () => {
    expect(await destinationsForCategory(t.db, 'ip_address')).toEqual([
      { destination: 'analytics', points: 2, sources: 2 },
      { destination: 'warehouse', points: 1, sources: 1 },
    ]);
    expect(await destinationsForCategory(t.db, 'user.contact')).toEqual([
      { destination: 'crm', points: 1, sources: 1 },
      { destination: 'warehouse', points: 1, sources: 1 },
    ]);
    expect(await destinationsForCategory(t.db, 'passport')).toEqual([]);
  });

  it('exports CSV', async () => {
    const csv = inventoryToCsv(await listDataPoints(t.db));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(INVENTORY_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(11); // header + 9 + trailing empty
    expect(lines.find((l) => l.startsWith('web,Order Completed,properties.email'))).toContain(',crm;warehouse,j***@example.com');
  });

  it('serves the reviewed points alone, and a fingerprint that moves with every review', async () => {
    const before = await reviewsVersion(t.db);
    expect(await reviewsVersion(t.db)).toBe(before);
    const reviewed = await reviewedClassifications(t.db);
    expect(reviewed.every((p) => p.reviewed)).toBe(true);
    expect(reviewed).toEqual((await effectiveClassifications(t.db)).filter((p) => p.reviewed));
    // Confirming a recommendation is a review too (the effective classification stays red).
    await setClassification(t.db, key('ios', 'traits.email'), 'red');
    expect(await reviewsVersion(t.db)).not.toBe(before);
    expect(await reviewedClassifications(t.db)).toHaveLength(reviewed.length + 1);
  });
});

describe('CSV quoting (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks; doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0.5)).toBe('0.5');
  });

  it('guards against spreadsheet formulas unless disabled', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('=1+1', { guardFormulas: false })).toBe('=1+1');
    expect(csvCell(-1)).toBe('-1');
  });

  it('writes a whole row with awkward values', () => {
    const point: StoredDataPoint = {
      source: 'web, "eu"',
      event: 'Order\nCompleted',
      path: 'properties["a,b"]',
      category: null,
      dataCategory: null,
      classification: 'green',
      reviewedClassification: null,
      effectiveClassification: 'green',
      status: 'inbox',
      matchedOn: null,
      confidence: 0,
      matcher: null,
      count: 2,
      firstSeen: '2024-01-01T00:00:00.000Z',
      lastSeen: '2024-01-02T00:00:00.000Z',
      destinations: [],
      example: null,
      reviewedAt: null,
      driftedAt: null,
      driftReason: null,
    };
    expect(inventoryToCsv([point]).split('\r\n')[1]).toBe(
      '"web, ""eu""","Order\nCompleted","properties[""a,b""]",,,green,,green,inbox,,0,,2,2024-01-01T00:00:00.000Z,2024-01-02T00:00:00.000Z,,,',
    );
  });
});
