// Retention reaches what is kept beside the events: masked inventory examples are cleared a set
// time after they were taken (the point stays), and alert deliveries parked too long are dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertObservations } from '../../src/inventory/store.js';
import { sweepExpired } from '../../src/storage/retention.js';
import { ENGINES, openTestDb, type TestDb } from './helpers.js';

describe.each(ENGINES)('retention of inventory examples and the alert outbox (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'side_retention');
  });
  afterAll(() => t.close());

  const point = (path: string, example: string) => {
    const now = new Date().toISOString();
    return {
      source: 'web',
      event: 'Signed Up',
      path,
      category: 'email',
      dataCategory: 'user.contact.email',
      classification: 'red' as const,
      matchedOn: 'key' as const,
      confidence: 0.9,
      matcher: 'key',
      count: 1,
      firstSeen: now,
      lastSeen: now,
      example,
      exampleSubject: 'subject-hash',
    };
  };

  it('records when an example was taken and clears examples older than the retention, keeping the point', async () => {
    await upsertObservations(t.db, [point('properties.old_email', 'o***@example.com'), point('properties.new_email', 'n***@example.com')]);
    const [taken] = await t.db.query<{ example_at: Date | null }>(`SELECT example_at FROM inventory_points WHERE path = 'properties.old_email'`);
    expect(taken!.example_at).not.toBeNull();
    await t.db.query(`UPDATE inventory_points SET example_at = now() - interval '100 days' WHERE path = 'properties.old_email'`);
    const result = await sweepExpired(t.db, { inventoryExamplesMs: 90 * 86_400_000, alertOutboxMs: null });
    expect(result.inventoryExamples).toBe(1);
    const rows = await t.db.query<{ path: string; example: string | null; example_subject: string | null; example_at: Date | null }>(
      'SELECT path, example, example_subject, example_at FROM inventory_points ORDER BY path',
    );
    expect(rows.map((r) => [r.path, r.example, r.example_subject === null, r.example_at === null])).toEqual([
      ['properties.new_email', 'n***@example.com', false, false],
      ['properties.old_email', null, true, true],
    ]);
  });

  it('drops alert deliveries parked past the outbox retention and counts them', async () => {
    await t.db.query(
      `INSERT INTO alert_outbox (id, channel, alerts, next_attempt_at, created_at) VALUES ('old', 'ops', '[]', now(), now() - interval '40 days'), ('fresh', 'ops', '[]', now(), now())`,
    );
    const result = await sweepExpired(t.db, { inventoryExamplesMs: null, alertOutboxMs: 30 * 86_400_000 });
    expect(result.alertOutbox).toBe(1);
    expect((await t.db.query<{ id: string }>('SELECT id FROM alert_outbox')).map((r) => r.id)).toEqual(['fresh']);
  });

  it('keeps both when their retention is forever (null)', async () => {
    await t.db.query(`UPDATE inventory_points SET example_at = now() - interval '10 years' WHERE example IS NOT NULL`);
    const result = await sweepExpired(t.db, { inventoryExamplesMs: null, alertOutboxMs: null });
    expect(result).toMatchObject({ inventoryExamples: 0, alertOutbox: 0 });
  });
});
