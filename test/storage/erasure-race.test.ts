import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { tombstoneKeys } from '../../src/storage/crypto/data-keys.js';
import { eraseSubjects } from '../../src/storage/erase.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { sweepExpired } from '../../src/storage/retention.js';
import { obs } from '../inventory/fixtures.js';
import type { Storage } from '../../src/storage/storage.js';
import type { Db } from '../../src/storage/db.js';
import { ENGINES, identify, openTestDb, storageOn, track, type TestDb } from './helpers.js';

/** A point a test holds code at: `reached` resolves once the code gets there, `release()` lets it go on. */
function checkpoint(): { reached: Promise<void>; arrive: () => Promise<void>; release: () => void } {
  let arrived!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { reached, release, arrive: () => (arrived(), gate) };
}

/** `promise`, and whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  return { promise: promise.finally(() => (settled = true)), settled: () => settled };
}

/** Long enough for a statement that is not blocked to finish. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 300));

// An event consumed before its subject's erasure may reach the store after it (a batch in flight,
// a lagging partition, a redelivery). The erasure covers it: it must not come back under a fresh key.
describe.each(ENGINES)('events that arrived before an erasure (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'erasure_race');
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.exec('TRUNCATE data_keys, events, profiles, identities, subject_links, subject_requests, suppressions, inventory_points');
    s = await storageOn(t.db);
  });

  const stored = async (userId: string) => (await exportSubject(s, { userId })).subjects[0]!;

  it('are dropped when written after the erasure, profile included', async () => {
    await s.events.storeEvents([track('ada', 'Before')]);
    const arrived = Date.now() - 1;
    const inFlight = [track('ada', 'In Flight'), identify('ada', { email: 'ada@example.com' })];
    await s.requests.submit('DELETE', { userId: 'ada' });

    const result = await s.events.storeEvents(inFlight, { seenAt: [arrived, arrived] });
    expect(result).toMatchObject({ inserted: 0, erased: 2, profiles: 0 });
    expect(await stored('ada')).toMatchObject({ events: [], profile: null, unreadableEvents: 0 });
    expect(await t.db.query('SELECT 1 FROM identities')).toEqual([]);
  });

  it('are dropped even when the subject came back with new events in between', async () => {
    await s.events.storeEvents([track('bo', 'Before')]);
    const arrived = Date.now() - 1;
    await s.requests.submit('DELETE', { userId: 'bo' });
    const after = track('bo', 'After Erasure');
    expect(await s.events.storeEvents([after])).toMatchObject({ inserted: 1, erased: 0 });
    // A lagging partition delivers an older event of the same subject.
    expect(await s.events.storeEvents([track('bo', 'Late')], { seenAt: [arrived] })).toMatchObject({ inserted: 0, erased: 1 });
    expect((await stored('bo')).events.map((e) => e.payload)).toEqual([after]);
  });

  it("keep events that arrived after the erasure, and everyone else's in the same batch", async () => {
    await s.requests.submit('DELETE', { userId: 'cy' });
    const arrived = Date.now() + 1;
    const batch = [track('cy', 'New Session'), track('dee', 'Bystander')];
    expect(await s.events.storeEvents(batch, { seenAt: [arrived, arrived - 10_000] })).toMatchObject({ inserted: 2, erased: 0 });
    expect((await stored('cy')).events).toHaveLength(1);
    expect((await stored('dee')).events).toHaveLength(1);
  });

  it('covers a subject erased before it had any stored event', async () => {
    const arrived = Date.now() - 1;
    await eraseSubjects(t.db, [s.hasher.subjectHash('eve')], { dataKeys: s.dataKeys });
    expect(await s.events.storeEvents([track('eve', 'First Ever')], { seenAt: [arrived] })).toMatchObject({ inserted: 0, erased: 1 });
    expect((await stored('eve')).events).toEqual([]);
  });

  it('give no inventory example once their subject is erased (observations flushed late)', async () => {
    const hash = s.hasher.subjectHash('hal');
    await s.events.storeEvents([track('hal', 'Signed Up')]);
    const pending = [obs({ source: 'web', path: 'properties.email', example: 'xxx@xxxxxxx.xxx', exampleSubject: hash })];
    await s.requests.submit('DELETE', { userId: 'hal' });
    await upsertObservations(t.db, pending);
    const rows = await t.db.query<{ example: string | null; example_subject: string | null; count: number }>(
      'SELECT example, example_subject, count::int AS count FROM inventory_points',
    );
    // The point is recorded; only the example tied to the erased subject is not.
    expect(rows).toEqual([{ example: null, example_subject: null, count: 1 }]);
  });

  it('are recognised until the retention sweep forgets erasure times past the window', async () => {
    const arrived = Date.now() - 1;
    await s.requests.submit('DELETE', { userId: 'fay' });
    await s.events.storeEvents([track('fay', 'Back Again')]);
    expect(await sweepExpired(t.db, { erasureWindowMs: 60_000 })).toMatchObject({ erasureTimes: 0 });
    // Far in the future, the erasure time (and the key's tombstone) are forgotten; the key stays.
    expect(await sweepExpired(t.db, { now: new Date(Date.now() + 3_600_000), erasureWindowMs: 60_000 })).toMatchObject({ erasureTimes: 1 });
    expect(await s.events.storeEvents([track('fay', 'Late')], { seenAt: [arrived] })).toMatchObject({ inserted: 1, erased: 0 });
    expect((await stored('fay')).events).toHaveLength(2);
  });
});

describe('an erasure racing the first write of a subject (postgres)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb('postgres', 'erasure_race_pg');
  });
  afterAll(() => t.close());

  it('waits for the write that creates the key, then destroys it', async () => {
    const writer = await storageOn(t.db);
    const subject = writer.hasher.subjectHash('gus');
    const held = checkpoint();
    const writing = t.db.transaction(async (tx) => {
      const { keys } = await writer.dataKeys.forWrite(tx, [subject]);
      await held.arrive();
      return keys.get(subject)!.id;
    });
    await held.reached;
    const erasing = watched(tombstoneKeys(await t.second(), [subject]));
    // The erasure cannot get past the uncommitted key: it waits for the writer, whatever the delay.
    await pause();
    expect(erasing.settled()).toBe(false);
    held.release();
    const keyId = await writing;
    expect(await erasing.promise).toBe(1);
    const [row] = await t.db.query<{ key_id: string | null; erased_at: Date | null }>('SELECT key_id, erased_at FROM data_keys WHERE subject_hash = $1', [
      subject,
    ]);
    expect(row).toMatchObject({ key_id: null });
    expect(row!.erased_at).not.toBeNull();
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('an erasure racing an inventory flush (postgres)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb('postgres', 'erasure_flush_pg');
  });
  afterAll(() => t.close());

  it('clears an example the flush writes for a subject with no stored event, after the flush commits', async () => {
    const subject = (await storageOn(t.db)).hasher.subjectHash('hal');
    // The flush's own code, held right after it wrote the point: it has checked the example
    // subjects' keys (hal has none) and holds its locks, uncommitted.
    const held = checkpoint();
    const holdAfterWrite = (tx: Db): Db =>
      Object.assign(Object.create(tx) as Db, {
        query: async <Row>(sql: string, params?: readonly unknown[]) => {
          const rows = await tx.query<Row>(sql, params);
          if (/^\s*INSERT INTO inventory_points/.test(sql)) await held.arrive();
          return rows;
        },
      });
    const db = Object.assign(Object.create(t.db) as Db, {
      transaction: <T>(work: (tx: Db) => Promise<T>) => t.db.transaction((tx) => work(holdAfterWrite(tx))),
    });
    const flushing = upsertObservations(db, [obs({ source: 'web', path: 'properties.note', example: 'xxxx', exampleSubject: subject })]);
    await held.reached;
    const erasing = watched(eraseSubjects(await t.second(), [subject]));
    // The erasure's clearing waits for the flush in flight, however long it takes.
    await pause();
    expect(erasing.settled()).toBe(false);
    held.release();
    await flushing;
    expect((await erasing.promise).inventoryExamples).toBe(1);
    const [point] = await t.db.query<{ example: string | null; example_subject: string | null }>(
      "SELECT example, example_subject FROM inventory_points WHERE path = 'properties.note'",
    );
    expect(point).toEqual({ example: null, example_subject: null });
  });
});
