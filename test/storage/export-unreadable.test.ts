// A data_keys row that no longer opens (tampered, swapped, or wrapped by a master version that left
// the keyring) makes the subject's events unreadable: the export counts them instead of failing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { ENGINES, identify, openTestDb, storageOn, testHasher, testKeyring, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('export with an unreadable data key (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'export_unreadable');
  });
  afterAll(() => t.close());

  it('counts the events it cannot open and returns the rest of the export', async () => {
    const keys = { keyring: testKeyring(), hasher: testHasher() };
    const writer = await storageOn(t.db, keys);
    await writer.events.storeEvents([identify('tampered', { plan: 'pro' }), track('tampered', 'A'), track('tampered', 'B')]);
    const subject = writer.hasher.subjectHash('tampered');
    // Flip one byte of the wrapped key: its authentication tag no longer verifies.
    await t.db.query('UPDATE data_keys SET wrapped = set_byte(wrapped, 5, (get_byte(wrapped, 5) + 1) % 256) WHERE subject_hash = $1', [subject]);
    const reader = await storageOn(t.db, keys); // no cached key: it must unwrap the row
    const exported = await exportSubject({ db: t.db, dataKeys: reader.dataKeys, hasher: reader.hasher }, { userId: 'tampered' });
    expect(exported.subjects).toHaveLength(1);
    expect(exported.subjects[0]).toMatchObject({ events: [], unreadableEvents: 3, profile: null });
  });
});
