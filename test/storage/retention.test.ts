import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/storage/duration.js';
import { RetentionPolicy, sweepExpired } from '../../src/storage/retention.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, openTestDb, storageOn, track, type TestDb } from './helpers.js';

const DAY = 86_400_000;

describe('retention policy', () => {
  it('parses durations', () => {
    expect(parseDuration('90d')).toBe(90 * DAY);
    expect(parseDuration('7y')).toBe(7 * 365 * DAY);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('forever')).toBeNull();
    expect(() => parseDuration('90 days')).toThrow(/invalid duration/);
    // Expiry must stay a storable date: beyond 1000 years, `forever` is the way to say it.
    expect(parseDuration('1000y')).toBe(1000 * 365 * DAY);
    expect(() => parseDuration('9999y')).toThrow(/use forever/);
  });

  it('picks per-event retention, else the default', () => {
    const policy = new RetentionPolicy({ default: '365d', events: { 'Order Completed': '7y', page: '90d', Debug: 'forever' } });
    const at = new Date('2024-01-01T00:00:00Z');
    expect(policy.expiresAt('Order Completed', at)!.getTime()).toBe(at.getTime() + 7 * 365 * DAY);
    expect(policy.expiresAt('page', at)!.getTime()).toBe(at.getTime() + 90 * DAY);
    expect(policy.expiresAt('Anything', at)!.getTime()).toBe(at.getTime() + 365 * DAY);
    expect(policy.expiresAt('Debug', at)).toBeNull();
  });

  it('rejects invalid config with a path', () => {
    expect(() => new RetentionPolicy({ default: 'soon' })).toThrow(/default/);
    expect(() => new RetentionPolicy({ default: '1d', events: { x: '1 week' } })).toThrow(/events\.x/);
    expect(() => new RetentionPolicy({ default: '1d', other: 1 } as never)).toThrow(/invalid retention config/);
  });
});

describe.each(ENGINES)('retention sweep (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'retention');
    s = await storageOn(t.db, { retention: { default: '30d', events: { page: '1d', 'Order Completed': '7y' } } });
  });
  afterAll(() => t.close());

  it('sets expires_at at insert and deletes only expired rows, in bounded batches', async () => {
    const receivedAt = new Date('2024-01-01T00:00:00Z');
    const pages = Array.from({ length: 7 }, () => ({ ...track('ret', 'x'), type: 'page' as const, event: undefined }));
    const orders = [track('ret', 'Order Completed'), track('ret', 'Order Completed')];
    const other = [track('ret', 'Clicked')];
    await s.events.storeEvents([...pages, ...orders, ...other], { receivedAt });

    const [page] = await t.db.query<{ expires_at: Date }>(`SELECT expires_at FROM events WHERE event_name = 'page' LIMIT 1`);
    expect(page!.expires_at.toISOString()).toBe('2024-01-02T00:00:00.000Z');

    // 10 days later: only the pages have expired.
    const result = await sweepExpired(t.db, { batchSize: 3, now: new Date('2024-01-11T00:00:00Z') });
    expect(result).toEqual({ events: 7, batches: 3, erasureTimes: 0, inventoryExamples: 0, alertOutbox: 0 });
    const left = await t.db.query<{ event_name: string }>('SELECT event_name FROM events ORDER BY event_name');
    expect(left.map((r) => r.event_name)).toEqual(['Clicked', 'Order Completed', 'Order Completed']);

    expect(await sweepExpired(t.db, { now: new Date('2024-03-01T00:00:00Z') })).toEqual({
      events: 1,
      batches: 1,
      erasureTimes: 0,
      inventoryExamples: 0,
      alertOutbox: 0,
    });
    expect(await sweepExpired(t.db, { now: new Date('2024-03-01T00:00:00Z') })).toEqual({
      events: 0,
      batches: 0,
      erasureTimes: 0,
      inventoryExamples: 0,
      alertOutbox: 0,
    });
  });

  it('uses the expires_at index', async () => {
    const plan = await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM events WHERE expires_at < now() ORDER BY expires_at LIMIT 10`);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/events_expires_at_idx/);
  });
});
