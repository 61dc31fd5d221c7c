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

  it('sweep deletes what is past its window', async () => {
    await a.claimIds('web', ['s1']);
    await a.settle('web', ['s1'], true);
    clock += 120_000;
    expect(await a.sweep()).toBeGreaterThanOrEqual(1);
    const left = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_message_ids WHERE expires_at <= $1', [new Date(clock)]);
    expect(left[0]!.n).toBe(0);
  });
});
