import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/storage/open.js';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { dropSchema, ENGINES, openTestDb, postgresUrl, type TestDb, uniqueSchema } from './helpers.js';

// Opening a store is seconds of start-up on a busy machine (WebAssembly for PGlite): in the hooks,
// with their own timeout, never inside a test's 30 s.
describe.each(ENGINES)('database (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    // A named schema: on PGlite the one store not loaded from the template (initdb, then every migration).
    t = await openTestDb(engine, 'db', { schema: true });
  }, 240_000);
  afterAll(() => t?.close());

  it('applies every migration once and records it', async () => {
    const rows = await t.db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = await t.db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [
      t.schema,
    ]);
    expect(tables.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['data_keys', 'events', 'identities', 'inventory_points', 'profiles', 'subject_requests', 'suppressions']),
    );
  });

  it('rolls back a failing transaction and supports nested savepoints', async () => {
    await t.db.exec('CREATE TABLE probe (n int)');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO probe VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await t.db.transaction(async (tx) => {
      await tx.query('INSERT INTO probe VALUES (2)');
      await tx
        .transaction(async (inner) => {
          await inner.query('INSERT INTO probe VALUES (3)');
          throw new Error('inner');
        })
        .catch(() => {});
    });
    const rows = await t.db.query<{ n: number }>('SELECT n FROM probe ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual([2]);
    const [big] = await t.db.query<{ n: unknown; b: unknown }>(`SELECT 5::bigint AS n, '\\x0102'::bytea AS b`);
    expect(big!.n).toBe(5);
    expect(Buffer.isBuffer(big!.b)).toBe(true);
  });
});

describe('database (postgres): concurrent start', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    const url = await postgresUrl();
    for (const schema of schemas) await dropSchema(url, schema);
  });

  it('two processes opening a fresh schema together apply migrations exactly once', async () => {
    const url = await postgresUrl();
    const schema = uniqueSchema('race');
    schemas.push(schema);
    const dbs = await Promise.all([openDb({ url, schema }), openDb({ url, schema }), openDb({ url, schema })]);
    try {
      const rows = await dbs[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });
});
