import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR, writeAudit } from '../../src/api/audit.js';
import type { Db } from '../../src/storage/db.js';
import { ENGINES, openTestDb, type TestDb } from './helpers.js';

/** Runs `sql` and returns the SQLSTATE it fails with ('none' if it succeeds). */
async function refusal(db: Db, sql: string): Promise<string> {
  // A savepoint each, so a refusal inside a transaction leaves it usable.
  return db
    .transaction((tx) => tx.query(sql))
    .then(
      () => 'none',
      (err: { code?: string; message?: string }) => `${err.code}: ${err.message}`,
    );
}

const ALL_CHANGES = [
  "UPDATE audit_log SET action = 'rewritten'",
  'DELETE FROM audit_log',
  'TRUNCATE audit_log',
  'MERGE INTO audit_log a USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE',
];

describe.each(ENGINES)('audit_log is append-only (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'audit_log');
  });
  afterAll(() => t?.close());

  const entries = () => t.db.query('SELECT * FROM audit_log ORDER BY id');

  it('refuses UPDATE, DELETE, TRUNCATE and MERGE, even on an empty table and with a WHERE matching nothing', async () => {
    expect(await entries()).toEqual([]);
    for (const sql of [...ALL_CHANGES, "UPDATE audit_log SET action = 'x' WHERE false", 'DELETE FROM audit_log WHERE id < 0']) {
      expect(await refusal(t.db, sql)).toMatch(/^42501: audit_log is append-only/);
    }
  });

  it('keeps every entry: changes are refused and nothing moves; inserting still works', async () => {
    await writeAudit(t.db, { actor: CLI_ACTOR, action: 'keys.create', targetType: 'api_key', targetId: 'k1', before: null, after: { role: 'owner' } });
    await writeAudit(t.db, { actor: CLI_ACTOR, action: 'keys.revoke', targetType: 'api_key', targetId: 'k1', before: null, after: null });
    const before = await entries();
    expect(before).toHaveLength(2);
    for (const sql of ALL_CHANGES) expect(await refusal(t.db, sql)).toMatch(/^42501: audit_log is append-only/);
    expect(await entries()).toEqual(before);
  });

  it('stays refused with session_replication_role = replica (the triggers fire ALWAYS)', async () => {
    const before = await entries();
    await t.db.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      for (const sql of ALL_CHANGES) expect(await refusal(tx, sql)).toMatch(/^42501: audit_log is append-only/);
    });
    expect(await entries()).toEqual(before);
  });

  it('leaves the owner SELECT and INSERT only: UPDATE, DELETE and TRUNCATE are revoked from it too', async () => {
    const rows = await t.db.query<{ privilege_type: string }>(
      `SELECT privilege_type FROM information_schema.role_table_grants
       WHERE table_schema = $1 AND table_name = 'audit_log' AND grantee = current_user ORDER BY 1`,
      [t.schema],
    );
    const granted = rows.map((r) => r.privilege_type);
    expect(granted).toEqual(expect.arrayContaining(['INSERT', 'SELECT']));
    expect(granted).not.toEqual(expect.arrayContaining(['UPDATE']));
    expect(granted).not.toContain('DELETE');
    expect(granted).not.toContain('TRUNCATE');
  });

  it('holds against a non-superuser role owning the table; only deliberate DDL by the owner could undo it (as documented)', async () => {
    const role = `sl_audit_owner_${randomBytes(4).toString('hex')}`;
    const before = await entries();
    // All in one transaction that is rolled back: the role and the ownership change never persist.
    const rolledBack = new Error('roll back');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query(`CREATE ROLE ${role} NOLOGIN`);
        await tx.query(`GRANT USAGE ON SCHEMA "${t.schema}" TO ${role}`);
        await tx.query(`ALTER TABLE audit_log OWNER TO ${role}`);
        await tx.query(`SET LOCAL ROLE ${role}`);
        await writeAudit(tx, { actor: CLI_ACTOR, action: 'keys.create', targetType: 'api_key', targetId: 'k2', before: null, after: null });
        for (const sql of ALL_CHANGES) expect(await refusal(tx, sql)).toMatch(/^42501: /);
        // What SQL cannot prevent: the owner granting itself the privileges back and disabling the triggers.
        await tx.query(`GRANT DELETE ON audit_log TO ${role}`);
        expect(await refusal(tx, 'DELETE FROM audit_log')).toMatch(/^42501: audit_log is append-only/);
        await tx.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
        expect(await refusal(tx, 'DELETE FROM audit_log')).toBe('none');
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await entries()).toEqual(before);
  });
});
