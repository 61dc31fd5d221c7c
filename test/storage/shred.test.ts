// Crypto-shredding must be final on disk: after a finished DELETE, the subject's wrapped data key
// must not be carvable from the key table's pages (it was, as a dead row version, until VACUUM).
// Read with pageinspect's get_raw_page: the table's pages byte for byte, as a disk copy has them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import { openTestDb, storageOn, track, type TestDb } from './helpers.js';

describe('erasure leaves no wrapped key in the data_keys pages (postgres)', () => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb('postgres', 'shred');
    s = await storageOn(t.db);
    await t.db.query('CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public');
  });
  afterAll(() => t.close());

  async function pages(): Promise<Buffer> {
    const rows = await t.db.query<{ page: Buffer }>(
      "SELECT public.get_raw_page('data_keys', n::int) AS page FROM generate_series(0, pg_relation_size('data_keys') / 8192 - 1) AS n",
    );
    return Buffer.concat(rows.map((r) => Buffer.from(r.page)));
  }

  it('prunes the destroyed key: its bytes are gone, the other keys stay', async () => {
    await s.events.storeEvents([track('shred-victim', 'A'), track('shred-other', 'B')]);
    const wrappedOf = async (user: string) =>
      Buffer.from((await t.db.query<{ wrapped: Buffer }>('SELECT wrapped FROM data_keys WHERE subject_hash = $1', [s.hasher.subjectHash(user)]))[0]!.wrapped);
    const victim = await wrappedOf('shred-victim');
    const other = await wrappedOf('shred-other');
    expect((await pages()).includes(victim)).toBe(true);

    const done = await s.requests.submit('DELETE', { userId: 'shred-victim' });
    expect(done.status).toBe('FINISHED');
    const after = await pages();
    expect(after.includes(victim)).toBe(false);
    expect(after.includes(other)).toBe(true);
  });
});
