// The messageId window shared through PostgreSQL: claims only one process wins, accepted ids are
// duplicates for everyone until the window ends, failed produces release their ids, and a claim
// whose process died is taken over after the lease. Two stores on separate pools stand for two
// ingest processes; the clock is moved, never waited for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedMessageIds } from '../../src/ingest/shared-dedup.js';
import { openTestDb, type TestDb } from '../storage/helpers.js';

describe('SharedMessageIds (PostgreSQL)', () => {
  let t: TestDb;
  let clock = Date.parse('2026-06-01T00:00:00Z');
  let a: SharedMessageIds;
  let b: SharedMessageIds;
  const options = { windowMs: 60_000, leaseMs: 10_000, now: () => clock };

  beforeAll(async () => {
    t = await openTestDb('postgres', 'shared_dedup');
    a = new SharedMessageIds(t.db, options);
    b = new SharedMessageIds(await t.second(), options);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('concurrent claims of the same ids: each id goes to one process only', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `race-${i}`);
    const [ra, rb] = await Promise.all([a.claimIds('web', ids), b.claimIds('web', ids)]);
    expect(ra.claimed.length + rb.claimed.length).toBe(ids.length);
    expect(new Set([...ra.claimed, ...rb.claimed]).size).toBe(ids.length);
    // What one holds is pending for the other (not yet accepted).
    expect(ra.pending).toBe(rb.claimed.length);
    expect(rb.pending).toBe(ra.claimed.length);
  });

  it('accepted ids are duplicates for every process until the window ends; other sources are apart', async () => {
    const first = await a.claimIds('web', ['m1', 'm2']);
    expect(first).toEqual({ claimed: ['m1', 'm2'], seen: 0, pending: 0 });
    await a.settle('web', ['m1', 'm2'], true);
    expect(await b.claimIds('web', ['m1', 'm2', 'm3'])).toEqual({ claimed: ['m3'], seen: 2, pending: 0 });
    expect((await b.claimIds('app', ['m1'])).claimed).toEqual(['m1']);
    clock += 61_000;
    expect((await b.claimIds('web', ['m1'])).claimed).toEqual(['m1']);
  });

  it('a failed produce releases its ids; another process claims them on the retry', async () => {
    expect((await a.claimIds('web', ['f1'])).claimed).toEqual(['f1']);
    expect(await b.claimIds('web', ['f1'])).toEqual({ claimed: [], seen: 0, pending: 1 });
    await a.settle('web', ['f1'], false);
    expect((await b.claimIds('web', ['f1'])).claimed).toEqual(['f1']);
  });

  it("a dead process's claim is taken over after the lease, never before; its late settle changes nothing", async () => {
    expect((await a.claimIds('web', ['d1'])).claimed).toEqual(['d1']);
    clock += 9_000;
    expect((await b.claimIds('web', ['d1'])).pending).toBe(1);
    clock += 2_000;
    expect((await b.claimIds('web', ['d1'])).claimed).toEqual(['d1']);
    await a.settle('web', ['d1'], false);
    await b.settle('web', ['d1'], true);
    expect((await a.claimIds('web', ['d1'])).seen).toBe(1);
  });

  it('claims arriving together from one process go in one statement; each id goes to one request', async () => {
    let statements = 0;
    const counted = { ...t.db, query: (sql: string, params?: readonly unknown[]) => (statements++, t.db.query(sql, params)) } as typeof t.db;
    const c = new SharedMessageIds(counted, options);
    const results = await Promise.all([c.claimIds('web', ['j1', 'j2']), c.claimIds('web', ['j2', 'j3']), c.claimIds('app', ['j2']), c.claimIds('web', ['j4'])]);
    // The first goes out alone; the three that arrived meanwhile go together in the next, and one
    // more asks about the j2 that round did not win (accepted, or still pending?).
    expect(statements).toBe(3);
    expect(results[0]).toEqual({ claimed: ['j1', 'j2'], seen: 0, pending: 0 });
    // j2 of source web is the first request's: pending here, as it is for any claim but the winner's.
    expect(results[1]).toEqual({ claimed: ['j3'], seen: 0, pending: 1 });
    expect(results[2]).toEqual({ claimed: ['j2'], seen: 0, pending: 0 });
    expect(results[3]).toEqual({ claimed: ['j4'], seen: 0, pending: 0 });
    // Other processes see every id claimed and not yet accepted.
    expect(await b.claimIds('web', ['j1', 'j2', 'j3', 'j4'])).toEqual({ claimed: [], seen: 0, pending: 4 });
  });

  it('an acceptance written in the same statement as a claim of that id: the claim finds a duplicate', async () => {
    expect((await a.claimIds('web', ['k1'])).claimed).toEqual(['k1']);
    // A claim out holds the next round: the acceptance and the claim below go in it together.
    const busy = a.claimIds('web', ['k0']);
    const settled = a.settle('web', ['k1'], true);
    const again = a.claimIds('web', ['k1', 'k2']);
    await Promise.all([busy, settled]);
    expect(await again).toEqual({ claimed: ['k2'], seen: 1, pending: 0 });
    expect(await b.claimIds('web', ['k1'])).toEqual({ claimed: [], seen: 1, pending: 0 });
  });

  it('sweep deletes what is past its window', async () => {
    await a.claimIds('web', ['s1']);
    await a.settle('web', ['s1'], true);
    clock += 120_000;
    expect(await a.sweep()).toBeGreaterThanOrEqual(1);
    const left = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_message_ids WHERE expires_at <= $1', [new Date(clock)]);
    expect(left[0]!.n).toBe(0);
  });
});
