import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAlert } from '../../src/alerts/alert.js';
import { parseAlertsConfig } from '../../src/alerts/config.js';
import { AlertDispatcher } from '../../src/alerts/dispatcher.js';
import { ALERT_OUTBOX_MIGRATION, SqlOutbox } from '../../src/alerts/outbox-sql.js';
import type { ScriptDb } from '../../src/storage/db.js';
import { silentLogger } from '../../src/core/logger.js';
import { migrate } from '../../src/storage/migrate.js';
import { openDb } from '../../src/storage/open.js';
import { quoteIdent } from '../../src/storage/sql.js';
import { BASE_URL, signal, startReceiver } from './helpers.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The same contract on both engines the Db seam supports. */
const engines: Array<{ name: string; open: (schema: string) => Promise<ScriptDb>; shared: boolean }> = [
  { name: 'postgres', open: (schema) => openDb({ url: DATABASE_URL, schema, migrate: false }), shared: true },
  { name: 'pglite', open: (schema) => openDb({ schema, migrate: false }), shared: false },
];

describe.each(engines)('SqlOutbox on $name', ({ name, open, shared }) => {
  const schema = `alerts_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  let db: ScriptDb;
  let outbox: SqlOutbox;

  beforeAll(async () => {
    db = await open(schema);
    // Run the exported migration through the real migration runner, in a schema of our own.
    await migrate(db, { schema, logger: silentLogger(), migrations: [ALERT_OUTBOX_MIGRATION] });
    outbox = new SqlOutbox(db);
  });

  afterAll(async () => {
    if (shared) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await db.close();
  });

  it('stores, claims with a lease, reschedules and completes entries', async () => {
    const t0 = new Date('2025-01-01T00:00:00Z');
    const alerts = [toAlert(signal({ kind: 'drift', classification: 'yellow' }), BASE_URL), toAlert(signal(), BASE_URL)];
    await outbox.put({ channel: 'sec', alerts, lastError: 'slack channel "sec": HTTP 500', nextAttemptAt: t0 });
    await outbox.put({ channel: 'pd', alerts: alerts.slice(1), lastError: null, nextAttemptAt: new Date(t0.getTime() + 60_000) });
    expect(await outbox.size()).toBe(2);

    const claimed = await outbox.claimDue({ now: t0, limit: 10, leaseMs: 30_000 });
    expect(claimed).toHaveLength(1);
    const e = claimed[0]!;
    expect(e).toMatchObject({ channel: 'sec', attempts: 0, lastError: 'slack channel "sec": HTTP 500' });
    expect(e.nextAttemptAt.toISOString()).toBe(t0.toISOString());
    expect(e.alerts).toEqual(alerts); // JSONB round trip keeps every field, including `previous`

    // Leased: not claimable again until the lease runs out (a crashed sweeper's entries come back).
    expect(await outbox.claimDue({ now: t0, limit: 10, leaseMs: 30_000 })).toHaveLength(0);
    const later = await outbox.claimDue({ now: new Date(t0.getTime() + 31_000), limit: 10, leaseMs: 30_000 });
    expect(later.map((x) => x.id)).toEqual([e.id]);

    await outbox.reschedule(e.id, { nextAttemptAt: new Date(t0.getTime() + 120_000), lastError: 'timeout after 10ms', countAttempt: true });
    const due = await outbox.claimDue({ now: new Date(t0.getTime() + 120_000), limit: 10, leaseMs: 1000 });
    expect(due.map((x) => [x.channel, x.attempts, x.lastError])).toEqual([
      ['pd', 0, null],
      ['sec', 1, 'timeout after 10ms'],
    ]);
    for (const x of due) await outbox.complete(x.id);
    expect(await outbox.size()).toBe(0);
  });

  // Concurrent sweepers exist only on a shared server: PGlite is one process's embedded database.
  if (name === 'postgres') {
    it('concurrent sweepers on separate connections never claim the same entry', async () => {
      const other = await open(schema);
      try {
        const now = new Date('2025-02-01T00:00:00Z');
        for (let i = 0; i < 40; i++) await outbox.put({ channel: 'sec', alerts: [toAlert(signal(), BASE_URL)], lastError: null, nextAttemptAt: now });
        const a = new SqlOutbox(db);
        const b = new SqlOutbox(other);
        const claims = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? a : b).claimDue({ now, limit: 15, leaseMs: 60_000 })));
        const ids = claims.flat().map((x) => x.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(40);
        for (const id of ids) await a.complete(id);
      } finally {
        await other.close();
      }
    });
  }

  it('keeps failed alerts across a restart: another dispatcher on the same database delivers them', async () => {
    let down = true;
    const rx = await startReceiver(() => (down ? { status: 502 } : { status: 200 }));
    try {
      const config = parseAlertsConfig(
        {
          baseUrl: BASE_URL,
          outbox: { retryIntervalMs: 0 },
          channels: [{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 5 }, retry: { attempts: 2, baseMs: 1, maxMs: 5 } }],
        },
        {},
      );
      const first = new AlertDispatcher({ config, outbox: new SqlOutbox(db) });
      first.enqueue([signal(), signal(), signal()]);
      await rx.waitFor(2);
      await first.close();
      expect(await outbox.size()).toBe(1);
      const rows = await db.query<{ channel: string; last_error: string }>('SELECT channel, last_error FROM alert_outbox');
      expect(rows).toEqual([{ channel: 'sec', last_error: 'slack channel "sec": HTTP 502' }]);

      down = false;
      const second = new AlertDispatcher({ config, outbox: new SqlOutbox(db) });
      expect(await second.retryOutbox()).toEqual({ delivered: 3, failed: 0, deferred: 0 });
      await second.close();
      expect(await outbox.size()).toBe(0);
      expect(JSON.parse(rx.requests.at(-1)!.body).text).toBe('🔴 3 new data points');
    } finally {
      await rx.close();
    }
  });
});
