import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_SWEEP_LOCK } from '../../src/storage/locks.js';
import { oldestEventAges, scheduleRetention, sweepIfLeader } from '../../src/storage/retention-schedule.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, openTestDb, storageOn, track, type TestDb } from './helpers.js';

describe.each(ENGINES)('scheduled retention sweep (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'retention_schedule');
    s = await storageOn(t.db, { retention: { default: '1s' } });
  });
  afterAll(() => t.close());

  const expired = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE expires_at < now()'))[0]!.n;

  it('an interrupted sweep keeps what it deleted and the next one resumes', async () => {
    await s.events.storeEvents(Array.from({ length: 25 }, (_, i) => track(`ret-${i}`, 'Old')));
    await t.db.query(`UPDATE events SET expires_at = now() - interval '1 minute'`);
    // Stopped after two batches, as a crash between batches would leave it.
    expect(await sweepIfLeader(t.db, { batchSize: 10, maxBatches: 2 })).toMatchObject({ events: 20, batches: 2 });
    expect(await expired()).toBe(5);
    expect(await sweepIfLeader(t.db, { batchSize: 10 })).toMatchObject({ events: 5 });
    expect(await expired()).toBe(0);
  });

  it('runs on its own on a schedule', async () => {
    await s.events.storeEvents([track('ret-sched', 'Old')]);
    await t.db.query(`UPDATE events SET expires_at = now() - interval '1 minute'`);
    const sweeps: number[] = [];
    const schedule = scheduleRetention(t.db, { intervalMs: 50, onSweep: (r) => sweeps.push(r.events) });
    const deadline = Date.now() + 20_000;
    while ((await expired()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await schedule.stop();
    expect(await expired()).toBe(0);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('reports the oldest remaining event age per retention class (configured names, else default)', async () => {
    await s.events.storeEvents([track('age-1', 'Order Completed'), track('age-2', 'Browsed'), track('age-3', 'Clicked')]);
    await t.db.query(`UPDATE events SET received_at = now() - interval '2 hours' WHERE event_name = 'Browsed'`);
    await t.db.query(`UPDATE events SET received_at = now() - interval '1 hour' WHERE event_name = 'Order Completed'`);
    const ages = await oldestEventAges(t.db, ['Order Completed']);
    expect([...ages.keys()].sort()).toEqual(['Order Completed', 'default']);
    expect(ages.get('default')).toBeGreaterThanOrEqual(7200 - 5);
    expect(ages.get('Order Completed')).toBeGreaterThanOrEqual(3600 - 5);
    expect(ages.get('Order Completed')).toBeLessThan(7200);
    await t.db.query(`DELETE FROM events WHERE event_name IN ('Order Completed', 'Browsed', 'Clicked')`);
  });

  it.runIf(engine === 'postgres')('with two engines on one database, only the holder of the sweep lock sweeps', async () => {
    const other = await t.second();
    await s.events.storeEvents([track('ret-two', 'Old')]);
    await t.db.query(`UPDATE events SET expires_at = now() - interval '1 minute'`);
    // Another engine is sweeping: it holds the lock in an open transaction.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const hasLock = new Promise<void>((r) => (locked = r));
    const holder = other.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RETENTION_SWEEP_LOCK]);
      locked();
      await held;
    });
    await hasLock;
    expect(await sweepIfLeader(t.db)).toBeNull();
    expect(await expired()).toBe(1);
    release();
    await holder;
    // The holder gone (committed, or its connection died), the next engine sweeps.
    expect(await sweepIfLeader(t.db)).toMatchObject({ events: 1 });
  });

  it.runIf(engine === 'postgres')(
    'a sweeper killed while holding the lock (SIGKILL) releases it with its connection; the next engine sweeps',
    async () => {
      await s.events.storeEvents([track('ret-killed', 'Old')]);
      await t.db.query(`UPDATE events SET expires_at = now() - interval '1 minute'`);
      const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
      const child = spawn('psql', [url, '-Atc', `SELECT pg_advisory_lock(${RETENTION_SWEEP_LOCK}); SELECT pg_sleep(30)`], {
        stdio: 'ignore',
        // Without it a backend notices a dead client only when its running statement ends.
        env: { ...process.env, PGOPTIONS: '-c client_connection_check_interval=100' },
      });
      const held = async () =>
        (
          await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`, [
            RETENTION_SWEEP_LOCK,
          ])
        )[0]!.n > 0;
      const until = Date.now() + 20_000;
      while (!(await held()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await sweepIfLeader(t.db)).toBeNull();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      // The server notices the dead client and drops its session lock.
      let result = await sweepIfLeader(t.db);
      while (result === null && Date.now() < until + 20_000) {
        await new Promise((r) => setTimeout(r, 100));
        result = await sweepIfLeader(t.db);
      }
      expect(result).toMatchObject({ events: 1 });
    },
    60_000,
  );
});
