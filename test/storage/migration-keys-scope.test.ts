import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as m009 from '../../src/api/migrations/009_keys_manage_scope.js';
import { ENGINES, openTestDb, type TestDb } from './helpers.js';

const BEFORE = ['events:write', 'profiles:read', 'inventory:manage', 'policies:manage', 'deletions:trigger', 'audit:read'];

// keys:manage is new: owner keys that held every scope before it existed keep managing keys; an
// owner key narrowed to a job (an auditor) does not get it.
describe.each(ENGINES)('migration 9, keys:manage (%s)', (engine) => {
  // Opened in a hook: starting an embedded PGlite is seconds of WASM work, not part of the behaviour tested.
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'mig8');
  });
  afterAll(() => t.close());

  it('grants keys:manage to full owner keys only', async () => {
    {
      const insert = (id: string, role: string, scopes: string[]) =>
        t.db.query('INSERT INTO api_keys (id, name, role, scopes, created_at) VALUES ($1, $1, $2, $3, now())', [id, role, scopes]);
      await insert('full', 'owner', BEFORE);
      await insert('auditor', 'owner', ['audit:read']);
      await insert('editor', 'editor', ['inventory:manage', 'policies:manage']);
      await t.db.exec(m009.sql);
      await t.db.exec(m009.sql); // idempotent
      const rows = await t.db.query<{ id: string; scopes: string[] }>('SELECT id, scopes FROM api_keys ORDER BY id');
      expect(Object.fromEntries(rows.map((r) => [r.id, r.scopes]))).toEqual({
        auditor: ['audit:read'],
        editor: ['inventory:manage', 'policies:manage'],
        full: [...BEFORE, 'keys:manage'],
      });
    }
  });
});
