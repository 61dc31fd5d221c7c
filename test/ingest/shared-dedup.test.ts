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

  /** A store on `t.db` whose statements are counted. */
  function counted(statements: number): { store: SharedMessageIds; count: () => number } {
    let n = 0;
    const db = { ...t.db, query: (sql: string, params?: readonly unknown[]) => (n++, t.db.query(sql, params)) } as typeof t.db;
    return { store: new SharedMessageIds(db, { ...options, statements }), count: () => n };
  }

  it('claims arriving while every statement is out go together in the next; each id goes to one request', async () => {
    const { store: c, count } = counted(1);
    const results = await Promise.all([c.claimIds('web', ['j1', 'j2']), c.claimIds('web', ['j2', 'j3']), c.claimIds('app', ['j2']), c.claimIds('web', ['j4'])]);
    // The first goes out alone; the three that arrived meanwhile go together in the next, and one
    // more asks about the j2 that round did not win (accepted, or still pending?).
    expect(count()).toBe(3);
    expect(results[0]).toEqual({ claimed: ['j1', 'j2'], seen: 0, pending: 0 });
    // j2 of source web is the first request's: pending here, as it is for any claim but the winner's.
    expect(results[1]).toEqual({ claimed: ['j3'], seen: 0, pending: 1 });
    expect(results[2]).toEqual({ claimed: ['j2'], seen: 0, pending: 0 });
    expect(results[3]).toEqual({ claimed: ['j4'], seen: 0, pending: 0 });
    // Other processes see every id claimed and not yet accepted.
    expect(await b.claimIds('web', ['j1', 'j2', 'j3', 'j4'])).toEqual({ claimed: [], seen: 0, pending: 4 });
  });

  it('claims go out side by side up to `statements`; an id out in one is in no other, and goes to the first asker', async () => {
    const { store: c, count } = counted(3);
    const first = c.claimIds('web', ['p1', 'p2']);
    const second = c.claimIds('web', ['p2', 'p3']);
    const third = c.claimIds('web', ['p1', 'p5']);
    // Three statements out at once, not one waiting behind another.
    expect(count()).toBe(3);
    const fourth = c.claimIds('web', ['p4']);
    expect(count()).toBe(3);
    expect(await first).toEqual({ claimed: ['p1', 'p2'], seen: 0, pending: 0 });
    expect(await second).toEqual({ claimed: ['p3'], seen: 0, pending: 1 });
    expect(await third).toEqual({ claimed: ['p5'], seen: 0, pending: 1 });
    expect(await fourth).toEqual({ claimed: ['p4'], seen: 0, pending: 0 });
  });

  it('an id asked again while its claim is out: a duplicate when that claim found it accepted', async () => {
    expect((await b.claimIds('web', ['q1'])).claimed).toEqual(['q1']);
    await b.settle('web', ['q1'], true);
    const { store: c } = counted(3);
    const results = await Promise.all([c.claimIds('web', ['q1']), c.claimIds('web', ['q1', 'q2'])]);
    expect(results).toEqual([
      { claimed: [], seen: 1, pending: 0 },
      { claimed: ['q2'], seen: 1, pending: 0 },
    ]);
  });

  it('a claim of an id whose acceptance is being written waits for it: a duplicate, and claims are not held back', async () => {
    expect((await a.claimIds('web', ['k1'])).claimed).toEqual(['k1']);
    const settled = a.settle('web', ['k1'], true);
    const again = a.claimIds('web', ['k1', 'k2']);
    const other = a.claimIds('web', ['k3']);
    expect(await other).toEqual({ claimed: ['k3'], seen: 0, pending: 0 });
    await settled;
    expect(await again).toEqual({ claimed: ['k2'], seen: 1, pending: 0 });
    expect(await b.claimIds('web', ['k1'])).toEqual({ claimed: [], seen: 1, pending: 0 });
  });

  it('a claim of an id being released is pending (its retry claims it); a failed statement fails only its own claims', async () => {
    expect((await a.claimIds('web', ['r1'])).claimed).toEqual(['r1']);
    const released = a.settle('web', ['r1'], false);
    expect(await a.claimIds('web', ['r1'])).toEqual({ claimed: [], seen: 0, pending: 1 });
    await released;
    expect((await a.claimIds('web', ['r1'])).claimed).toEqual(['r1']);

    let fail = true;
    const flaky = {
      ...t.db,
      query: (sql: string, params?: readonly unknown[]) => (fail ? ((fail = false), Promise.reject(new Error('connection lost'))) : t.db.query(sql, params)),
    } as typeof t.db;
    const c = new SharedMessageIds(flaky, options);
    const failed = c.claimIds('web', ['r2']);
    const next = c.claimIds('web', ['r2', 'r3']);
    await expect(failed).rejects.toThrow('connection lost');
    // r2 was out in the failed statement: pending for the asker behind it, claimed by its retry.
    expect(await next).toEqual({ claimed: ['r3'], seen: 0, pending: 1 });
    expect((await c.claimIds('web', ['r2'])).claimed).toEqual(['r2']);
  });

  it('no statement scans the whole window: each finds its rows by the index, whatever the table holds', async () => {
    // A window of 50,000 rows (another source's): a join of 1,000 ids to it is planned as a hash
    // join over a scan of the table, a statement that grows with the window.
    await t.db.query(`INSERT INTO ingest_message_ids SELECT 'bulk', 'bulk-' || g, 'x', true, $1, $2 FROM generate_series(1, 50000) g`, [
      new Date(clock),
      new Date(clock + 3_600_000),
    ]);
    await t.db.query('ANALYZE ingest_message_ids');
    const statements: { sql: string; params: readonly unknown[] }[] = [];
    const recording = {
      ...t.db,
      query: (sql: string, params?: readonly unknown[]) => (statements.push({ sql, params: params ?? [] }), t.db.query(sql, params)),
    } as typeof t.db;
    const c = new SharedMessageIds(recording, options);
    const ids = Array.from({ length: 1000 }, (_, i) => `idx-${i}`);
    expect((await c.claimIds('web', ids)).claimed).toHaveLength(1000);
    await c.settle('web', ids.slice(0, 500), true);
    await c.settle('web', ids.slice(500), false);
    // Half accepted, half free again: the follow-up lookup of ids not won runs too.
    expect(await c.claimIds('web', ids)).toEqual({ claimed: ids.slice(500), seen: 500, pending: 0 });
    expect(statements.map((s) => s.sql.trimStart().split(/\s/)[0])).toEqual(['WITH', 'UPDATE', 'DELETE', 'WITH', 'SELECT']);
    for (const { sql, params } of statements) {
      const plan = await t.db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      expect(JSON.stringify(plan)).not.toContain('Seq Scan');
    }
  });

  it('the window runs from the claim: an acceptance changes no indexed column', async () => {
    await a.claimIds('web', ['w1']);
    clock += 30_000; // a slow produce
    await a.settle('web', ['w1'], true);
    clock += 29_000;
    expect((await b.claimIds('web', ['w1'])).seen).toBe(1);
    clock += 2_000; // 61 s after the claim
    expect((await b.claimIds('web', ['w1'])).claimed).toEqual(['w1']);
  });

  it('keeps the window unlogged, with room on each page for heap-only acceptances', async () => {
    const [table] = await t.db.query<{ persistence: string; options: string[] | null }>(
      `SELECT relpersistence AS persistence, reloptions AS options FROM pg_class WHERE oid = 'ingest_message_ids'::regclass`,
    );
    expect(table).toEqual({ persistence: 'u', options: ['fillfactor=70'] });
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
