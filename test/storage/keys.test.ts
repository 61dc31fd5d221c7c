import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { DecryptError } from '../../src/storage/crypto/aead.js';
import { openEventRow } from '../../src/storage/event-seal.js';
import { columnsOfRow } from '../../src/storage/integrity.js';
import { DataKeys } from '../../src/storage/crypto/data-keys.js';
import { Keyring } from '../../src/storage/crypto/master-keys.js';
import { buf } from '../../src/storage/sql.js';
import { ENGINES, openTestDb, storageOn, testHasher, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('data keys (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'keys');
  });
  afterAll(() => t.close());
  // Each test brings its own keyring: start from empty key and event tables.
  beforeEach(() => t.db.exec('TRUNCATE data_keys, events, profiles, identities, subject_requests, suppressions'));

  it('rotates the master key online: re-wraps data keys, events stay readable, old version then removable', async () => {
    const v1 = { version: 1, key: randomBytes(32) };
    const v2 = { version: 2, key: randomBytes(32) };
    const hasher = testHasher();
    const before = await storageOn(t.db, { keyring: new Keyring([v1]), hasher });
    const events = ['a', 'b', 'c'].map((u) => track(`rot-${u}`, 'Before Rotation', { n: u }));
    await before.events.storeEvents(events);
    const payloadsBefore = await t.db.query<{ payload: Buffer }>('SELECT payload FROM events ORDER BY id');

    // New processes start with both versions: new keys use v2, old ones still unwrap with v1.
    const during = await storageOn(t.db, { keyring: new Keyring([v1, v2]), hasher });
    await during.events.storeEvents([track('rot-new', 'During Rotation')]);
    expect(await during.dataKeys.masterVersionsInUse()).toEqual([
      { version: 1, keys: 3 },
      { version: 2, keys: 1 },
    ]);
    const result = await during.dataKeys.rewrap({ batchSize: 2 });
    expect(result).toEqual({ rewrapped: 3, batches: 2, remaining: 0 });
    expect(await during.dataKeys.masterVersionsInUse()).toEqual([{ version: 2, keys: 4 }]);

    // Events were not re-encrypted.
    const payloadsAfter = await t.db.query<{ payload: Buffer }>('SELECT payload FROM events ORDER BY id LIMIT 3');
    expect(payloadsAfter.map((r) => r.payload.toString('hex'))).toEqual(payloadsBefore.map((r) => r.payload.toString('hex')));

    // v1 removed from the keyring: everything still reads.
    const after = await storageOn(t.db, { keyring: new Keyring([v2]), hasher });
    for (const event of events) {
      const out = await exportSubject(after, { userId: event.userId as string });
      expect(out.subjects[0]!.events.map((e) => e.payload)).toEqual([event]);
    }
  });

  it('refuses to rewrap with a keyring missing the old version', async () => {
    const hasher = testHasher();
    const old = await storageOn(t.db, { keyring: new Keyring([{ version: 7, key: randomBytes(32) }]), hasher });
    await old.events.storeEvents([track('rot-lost', 'X')]);
    const keys = new DataKeys(t.db, new Keyring([{ version: 8, key: randomBytes(32) }]));
    await expect(keys.rewrap()).rejects.toThrow(/version 7 is not in the keyring/);
  });

  it('crypto-shreds: with the data key row gone, stored ciphertext cannot be decrypted even with full DB access', async () => {
    const s = await storageOn(t.db);
    const event = track('shred-me', 'Purchase', { card: 'visa' });
    await s.events.storeEvents([event, track('bystander', 'Purchase')]);
    const subject = s.hasher.subjectHash('shred-me');
    const [row] = await t.db.query<Parameters<typeof columnsOfRow>[1] & { payload: Buffer; data_key_id: string }>(
      'SELECT * FROM events WHERE subject_hash = $1',
      [subject],
    );
    const key = (await s.dataKeys.byIds(t.db, [row!.data_key_id])).get(row!.data_key_id)!;
    expect(openEventRow(key.key, columnsOfRow(subject, row!), buf(row!.payload)).event).toEqual(event);

    await s.dataKeys.destroy(t.db, [subject]);
    // A fresh process (empty cache) with the master keyring and DB access finds no key to open the row.
    const fresh = new DataKeys(t.db, s.keyring);
    expect((await fresh.byIds(t.db, [row!.data_key_id])).size).toBe(0);
    const out = await exportSubject({ ...s, dataKeys: fresh }, { userId: 'shred-me' });
    expect(out.subjects[0]!.events).toEqual([]);
    expect(out.subjects[0]!.unreadableEvents).toBe(1);
    // And the old key material is of no use under any other key row.
    const [other] = await t.db.query<{ subject_hash: string; key_id: string }>('SELECT subject_hash, key_id FROM data_keys WHERE wrapped IS NOT NULL LIMIT 1');
    const otherKey = (await fresh.byIds(t.db, [other!.key_id])).get(other!.key_id)!;
    expect(() => openEventRow(otherKey.key, columnsOfRow(subject, row!), buf(row!.payload))).toThrow(DecryptError);
  });

  it('a writer with a stale cached key gets a fresh key after the key was destroyed elsewhere', async () => {
    const hasher = testHasher();
    const keyring = new Keyring([{ version: 1, key: randomBytes(32) }]);
    const writer = await storageOn(t.db, { keyring, hasher });
    const eraser = await storageOn(t.db, { keyring, hasher });
    await writer.events.storeEvents([track('stale', 'First')]);
    await eraser.requests.submit('DELETE', { userId: 'stale' });
    const second = track('stale', 'Second');
    await writer.events.storeEvents([second]);
    const out = await exportSubject(writer, { userId: 'stale' });
    expect(out.subjects[0]!.events.map((e) => e.payload)).toEqual([second]);
    expect(out.subjects[0]!.unreadableEvents).toBe(0);
  });
});
