import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { ANONYMOUS_SUBJECT } from '../../src/storage/crypto/lookup.js';
import { storedHead } from '../../src/storage/events-store.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, identify, openTestDb, storageOn, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('event store (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'events');
    s = await storageOn(t.db);
  });
  afterAll(() => t.close());

  it('stores events encrypted and reads them back', async () => {
    const events = [track('u-rt', 'Order Completed', { total: 42, email: 'round@trip.test' }), track('u-rt', 'Viewed', { page: 3 })];
    const result = await s.events.storeEvents(events);
    expect(result).toEqual({ inserted: 2, duplicates: 0, profiles: 0, erased: 0 });
    const out = await exportSubject(s, { userId: 'u-rt' });
    expect(out.subjects).toHaveLength(1);
    expect(out.subjects[0]!.events.map((e) => e.payload)).toEqual(expect.arrayContaining(events));
    expect(out.subjects[0]!.events.find((e) => e.event === 'Order Completed')!.type).toBe('track');
  });

  it('stores events serialized beforehand (a head in clear, the JSON text sealed) as it stores them whole', async () => {
    const events = [
      track('u-text', 'Order Completed', { total: 7, email: 'text@trip.test' }, { anonymousId: 'anon-text' }),
      identify('u-text', { email: 'text@trip.test', plan: 'pro' }),
    ];
    const heads = events.map(storedHead);
    expect(heads[0]).not.toHaveProperty('properties');
    const result = await s.events.storeEvents(heads, { json: events.map((e) => JSON.stringify(e)) });
    expect(result).toEqual({ inserted: 2, duplicates: 0, profiles: 1, erased: 0 });
    const out = await exportSubject(s, { userId: 'u-text' });
    const stored = out.subjects.flatMap((subject) => subject.events.map((e) => e.payload));
    expect(stored).toEqual(expect.arrayContaining(events));
    // Redelivered whole: the same rows (idempotent on messageId whichever way it came).
    expect(await s.events.storeEvents(events)).toMatchObject({ inserted: 0, duplicates: 2 });
  });

  it('stores JSON text handed over as UTF-8 bytes (from a worker) as it stores the string', async () => {
    const event = track('u-bytes', 'Order Completed', { total: 9, note: 'Zoë 🚀' }, { anonymousId: 'anon-bytes' });
    // A view into a larger buffer, as the worker's outcome buffer hands it over.
    const text = Buffer.from(JSON.stringify(event));
    const all = Buffer.concat([Buffer.from('{"other":1}'), text]);
    const result = await s.events.storeEvents([storedHead(event)], { json: [all.subarray(11)] });
    expect(result).toMatchObject({ inserted: 1 });
    const out = await exportSubject(s, { userId: 'u-bytes' });
    expect(out.subjects[0]!.events.map((e) => e.payload)).toEqual([event]);
  });

  it('leaves no plaintext of a stored value in the tables', async () => {
    const email = 'secret.person@plaintext-check.example';
    await s.events.storeEvents([
      identify('u-plain', { email, name: 'Secret Person' }),
      track('u-plain', 'Signed Up', { email, nested: { contact: email } }, { anonymousId: 'anon-plain-device' }),
    ]);
    const payloads = await t.db.query<{ payload: string }>('SELECT payload::text AS payload FROM events');
    const rows = await t.db.query<{ row: string }>('SELECT e::text AS row FROM events e');
    const profiles = await t.db.query<{ row: string }>('SELECT p::text AS row FROM profiles p');
    const identities = await t.db.query<{ row: string }>('SELECT i::text AS row FROM identities i');
    const keys = await t.db.query<{ row: string }>('SELECT k::text AS row FROM data_keys k');
    const links = await t.db.query<{ row: string }>('SELECT l::text AS row FROM subject_links l');
    expect(links.length).toBeGreaterThan(0);
    const everything = [...payloads.map((r) => r.payload), ...[rows, profiles, identities, keys, links].flat().map((r) => r.row)].join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(everything).not.toContain(email);
    expect(everything).not.toContain('Secret Person');
    expect(everything).not.toContain('u-plain');
    expect(everything).not.toContain('anon-plain-device');
    // Also the hex form of the bytes (bytea::text is hex-escaped).
    expect(everything).not.toContain(Buffer.from(email).toString('hex'));
    expect(everything).not.toContain(Buffer.from('u-plain').toString('hex'));
  });

  it('is idempotent on messageId', async () => {
    const events = [track('u-idem', 'A'), track('u-idem', 'B')];
    expect((await s.events.storeEvents(events)).inserted).toBe(2);
    const again = await s.events.storeEvents([...events, events[0]!]);
    expect(again).toMatchObject({ inserted: 0, duplicates: 3 });
    const [row] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE subject_hash = $1', [s.hasher.subjectHash('u-idem')]);
    expect(row!.n).toBe(2);
  });

  it('stores what PostgreSQL would refuse in a clear column (NUL, an over-long messageId, year 10000), idempotently, the event kept as sent', async () => {
    const longId = `m-${'x'.repeat(5000)}`;
    const odd = [
      track('u-odd', 'Sign\u0000Up', {}, { messageId: 'nul\u0000id' }),
      track('u-odd', 'Long', {}, { messageId: longId }),
      track('u-odd', 'Far', {}, { timestamp: '+010000-01-01T00:00:00Z' }),
    ];
    expect((await s.events.storeEvents(odd)).inserted).toBe(3);
    expect(await s.events.storeEvents(odd.slice(0, 2))).toMatchObject({ inserted: 0, duplicates: 2 });
    const out = await exportSubject(s, { userId: 'u-odd' });
    const payloads = out.subjects[0]!.events.map((e) => e.payload as { messageId: string; event: string });
    expect(payloads.map((p) => p.messageId).sort()).toEqual(['nul\u0000id', longId, odd[2]!.messageId].sort());
  });

  it('binds ciphertexts to their row: a swapped payload does not decrypt', async () => {
    const a = track('u-swap', 'A', { v: 1 });
    const b = track('u-swap', 'B', { v: 2 });
    await s.events.storeEvents([a, b]);
    await t.db.query(`UPDATE events SET payload = (SELECT payload FROM events WHERE message_id = $2) WHERE message_id = $1`, [a.messageId, b.messageId]);
    const out = await exportSubject(s, { userId: 'u-swap' });
    // The key is live: the row was tampered with, not shredded.
    expect(out.subjects[0]!.unreadableEvents).toBe(0);
    expect(out.subjects[0]!.tamperedEvents).toHaveLength(1);
    expect(out.subjects[0]!.events.map((e) => e.messageId)).toEqual([b.messageId]);
  });

  it('keeps only routing metadata in clear columns', async () => {
    const event = track('u-cols', 'Order Completed', { sku: 'x' });
    await s.events.storeEvents([event], { receivedAt: new Date('2030-01-01T00:00:00Z') });
    const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM events WHERE message_id = $1', [event.messageId]);
    expect(Object.keys(row!).sort()).toEqual(
      ['data_key_id', 'event_name', 'event_timestamp', 'event_type', 'expires_at', 'id', 'message_id', 'payload', 'received_at', 'subject_hash'].sort(),
    );
    expect(row!.subject_hash).toBe(s.hasher.subjectHash('u-cols'));
    expect(row!.event_name).toBe('Order Completed');
    expect((row!.received_at as Date).toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('stores subject-less events under the shared anonymous key', async () => {
    const event = { type: 'page' as const, messageId: `anon-page-${Date.now()}`, properties: { path: '/' } };
    await s.events.storeEvents([event]);
    const [row] = await t.db.query<{ subject_hash: string }>('SELECT subject_hash FROM events WHERE message_id = $1', [event.messageId]);
    expect(row!.subject_hash).toBe(ANONYMOUS_SUBJECT);
    const keys = await t.db.query('SELECT 1 FROM data_keys WHERE subject_hash = $1', [ANONYMOUS_SUBJECT]);
    expect(keys).toHaveLength(1);
  });

  it('merges identify traits per subject, newest wins even out of order', async () => {
    await s.events.storeEvents([identify('u-prof', { name: 'New', plan: 'pro' }, '2024-02-01T00:00:00Z')]);
    await s.events.storeEvents([identify('u-prof', { name: 'Old', city: 'Oslo' }, '2024-01-01T00:00:00Z')]);
    await s.events.storeEvents([identify('u-prof', { plan: 'team' }, '2024-03-01T00:00:00Z'), identify('u-prof', { plan: 'free' }, '2024-02-15T00:00:00Z')]);
    const out = await exportSubject(s, { userId: 'u-prof' });
    expect(out.subjects[0]!.profile).toEqual({ name: 'New', plan: 'team', city: 'Oslo' });
  });

  it('writes concurrent batches for the same new subject with one data key', async () => {
    await Promise.all([1, 2, 3, 4].map((i) => s.events.storeEvents([track('u-conc', `E${i}`)])));
    const keys = await t.db.query('SELECT key_id FROM data_keys WHERE subject_hash = $1', [s.hasher.subjectHash('u-conc')]);
    expect(keys).toHaveLength(1);
    const out = await exportSubject(s, { userId: 'u-conc' });
    expect(out.subjects[0]!.events).toHaveLength(4);
  });

  // On the file's store (a new one is seconds of start-up on a loaded machine), emptied first:
  // the subject's and the shared anonymous data key must be created by the failing transaction.
  describe('rollback', () => {
    it('does not keep using a data key whose creating transaction rolled back', async () => {
      await t.db.exec('TRUNCATE data_keys, events, profiles, identities, subject_links');
      const fresh = await storageOn(t.db);
      // Make the insert fail after the keys were created in the same transaction.
      await t.db.exec('ALTER TABLE events ADD CONSTRAINT no_inserts CHECK (event_name <> $$Boom$$)');
      try {
        await expect(fresh.events.storeEvents([{ type: 'track', event: 'Boom', messageId: 'rb-1' }])).rejects.toThrow();
        await expect(fresh.events.storeEvents([track('rb-user', 'Boom')])).rejects.toThrow();
      } finally {
        await t.db.exec('ALTER TABLE events DROP CONSTRAINT no_inserts');
      }
      const anonymous = { type: 'track' as const, event: 'Fine', messageId: 'rb-2', properties: { a: 1 } };
      await fresh.events.storeEvents([anonymous, track('rb-user', 'Fine')]);
      const [row] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events e JOIN data_keys k ON k.key_id = e.data_key_id AND k.subject_hash = e.subject_hash',
      );
      expect(row!.n).toBe(2);
    });
  });
});
