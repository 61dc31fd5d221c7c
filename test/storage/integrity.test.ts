import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { aad, sealJson } from '../../src/storage/crypto/aead.js';
import { sweepExpired } from '../../src/storage/retention.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, openTestDb, storageOn, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('stored events are bound to their clear columns (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'integrity');
    s = await storageOn(t.db, { retention: { default: '30d' } });
  });
  afterAll(() => t.close());

  const rowOf = async (messageId: string) => (await t.db.query<{ id: number | string }>('SELECT id FROM events WHERE message_id = $1', [messageId]))[0]!;

  it.each([
    ['event_name', "event_name = 'Harmless Event'"],
    ['event_type', "event_type = 'page'"],
    ['expires_at pushed back', "expires_at = expires_at + interval '10 years'"],
    ['expires_at removed', 'expires_at = NULL'],
    ['received_at', "received_at = received_at + interval '1 day'"],
    ['event_timestamp', "event_timestamp = event_timestamp - interval '1 hour'"],
  ])('a changed %s is reported as tampered by the export and by the retention sweep', async (_what, change) => {
    const user = `u-tamper-${Math.random().toString(36).slice(2)}`;
    const tampered = track(user, 'Password Reset', { v: 1 });
    const honest = track(user, 'Viewed', { v: 2 });
    await s.events.storeEvents([tampered, honest]);
    const { id } = await rowOf(tampered.messageId!);
    await t.db.query(`UPDATE events SET ${change} WHERE id = $1`, [id]);

    const out = (await exportSubject(s, { userId: user })).subjects[0]!;
    expect(out.tamperedEvents).toEqual([Number(id)]);
    expect(out.events.map((e) => e.messageId)).toEqual([honest.messageId]);
    expect(out.events.map((e) => e.event)).not.toContain('Harmless Event');
    expect(out.unreadableEvents).toBe(0);

    const swept = await sweepExpired(t.db, { dataKeys: s.dataKeys });
    expect(swept.verified!.tampered).toContain(Number(id));
    expect(swept.verified!.tampered).not.toContain(Number((await rowOf(honest.messageId!)).id));
    // Put back for the next case: the table is shared.
    await t.db.query('DELETE FROM events WHERE id = $1', [id]);
  });

  it('a sweep of an untouched store reports nothing', async () => {
    await s.events.storeEvents([track('u-clean', 'A'), track('u-clean', 'B')]);
    const swept = await sweepExpired(t.db, { dataKeys: s.dataKeys });
    expect(swept.verified!.tampered).toEqual([]);
    expect(swept.verified!.checked).toBeGreaterThanOrEqual(2);
  });

  it('rows written before the binding are exported as legacy and re-sealed by the sweep, then bound', async () => {
    const old = track('u-legacy', 'Old Event', { v: 3 });
    await s.events.storeEvents([old]);
    const subject = s.hasher.subjectHash('u-legacy');
    const [row] = await t.db.query<{ id: number | string; data_key_id: string }>('SELECT id, data_key_id FROM events WHERE message_id = $1', [old.messageId]);
    const key = (await s.dataKeys.byIds(t.db, [row!.data_key_id])).get(row!.data_key_id)!;
    // As the store sealed events before: bound to subject and messageId only.
    await t.db.query('UPDATE events SET payload = $2 WHERE id = $1', [row!.id, sealJson(key.key, old, aad.event(subject, old.messageId!))]);

    const before = (await exportSubject(s, { userId: 'u-legacy' })).subjects[0]!;
    expect(before).toMatchObject({ legacyEvents: 1, tamperedEvents: [] });
    expect(before.events[0]!.payload).toEqual(old);

    const swept = await sweepExpired(t.db, { dataKeys: s.dataKeys });
    expect(swept.verified!.resealed).toBe(1);
    const after = (await exportSubject(s, { userId: 'u-legacy' })).subjects[0]!;
    expect(after).toMatchObject({ legacyEvents: 0, tamperedEvents: [] });
    expect(after.events[0]!.payload).toEqual(old);
    expect((await sweepExpired(t.db, { dataKeys: s.dataKeys })).verified!.resealed).toBe(0);

    // Re-sealed, the row is bound: extending its retention is now detected.
    await t.db.query('UPDATE events SET expires_at = NULL WHERE id = $1', [row!.id]);
    expect((await exportSubject(s, { userId: 'u-legacy' })).subjects[0]!.tamperedEvents).toEqual([Number(row!.id)]);
    await t.db.query('DELETE FROM events WHERE id = $1', [row!.id]);
  });

  it("a payload pointed at another subject's key is tampered, not shredded", async () => {
    const a = track('u-key-a', 'A');
    const b = track('u-key-b', 'B');
    await s.events.storeEvents([a, b]);
    await t.db.query('UPDATE events SET data_key_id = (SELECT data_key_id FROM events WHERE message_id = $2) WHERE message_id = $1', [
      a.messageId,
      b.messageId,
    ]);
    const out = (await exportSubject(s, { userId: 'u-key-a' })).subjects[0]!;
    expect(out.tamperedEvents).toHaveLength(1);
    expect(out.unreadableEvents).toBe(0);
    await t.db.query('DELETE FROM events WHERE message_id = $1', [a.messageId]);
  });
});

describe.each(ENGINES)('messageId idempotency is per subject (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'msgid');
    s = await storageOn(t.db);
  });
  afterAll(() => t.close());

  it("stores an event that reuses another subject's messageId, and still skips a true redelivery", async () => {
    const victim = track('u-victim', 'Order Completed', { total: 10 }, { messageId: 'shared-id-1' });
    const other = track('u-other', 'Fake', { total: 0 }, { messageId: 'shared-id-1' });
    expect(await s.events.storeEvents([victim])).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(await s.events.storeEvents([other])).toMatchObject({ inserted: 1, duplicates: 0 });
    // Both in one batch, too.
    const x = track('u-x', 'X', {}, { messageId: 'shared-id-2' });
    const y = track('u-y', 'Y', {}, { messageId: 'shared-id-2' });
    expect(await s.events.storeEvents([x, y])).toMatchObject({ inserted: 2, duplicates: 0 });

    for (const [user, event] of [
      ['u-victim', victim],
      ['u-other', other],
      ['u-x', x],
      ['u-y', y],
    ] as const) {
      expect((await exportSubject(s, { userId: user })).subjects[0]!.events.map((e) => e.payload)).toEqual([event]);
    }
    // The same subject and messageId again is a redelivery: counted as a duplicate, not stored twice.
    expect(await s.events.storeEvents([victim, x])).toMatchObject({ inserted: 0, duplicates: 2 });
    const [row] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE message_id IN ('shared-id-1', 'shared-id-2')");
    expect(row!.n).toBe(4);
  });
});
