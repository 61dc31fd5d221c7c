import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../src/api/server.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../../src/detect/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { storageOn } from '../storage/helpers.js';
import { CLASSIFIER_YAML, startTestApi, waitFor, type TestApi } from './helpers.js';

/**
 * The same API on real PostgreSQL (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test),
 * in a schema of its own; a second pool stands in for a second API process.
 */
describe('control-plane API on PostgreSQL', () => {
  let clock = Date.parse('2026-03-01T00:00:00Z');
  let api: TestApi;
  let other: RunningApi;
  beforeAll(async () => {
    api = await startTestApi({ engine: 'postgres', now: () => new Date(clock) });
    const db = await api.t.second();
    other = await startApi({
      storage: await storageOn(db, { hasher: api.storage.hasher, keyring: api.storage.keyring }),
      classifierDirs: [BUILTIN_CLASSIFIERS_DIR],
      policyFile: null,
      registry: new Registry(),
      logger: silentLogger(),
      now: () => new Date(clock),
    });
  });
  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  const viaOther = (path: string, token: string) => fetch(`${other.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('uses its own schema', async () => {
    const [row] = await api.t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    expect(row!.schema).toBe(api.t.schema);
    expect(api.t.db.engine).toBe('postgres');
  });

  it('stores keys hashed; revocation is seen by another process within its key cache time', async () => {
    const created = await api.call('POST', '/keys', { body: { name: 'pg', role: 'editor' } });
    expect(created.status).toBe(201);
    const token: string = created.json.token;
    expect(JSON.stringify(await api.t.db.query('SELECT * FROM api_key_secrets'))).not.toContain(token.split('_').slice(2).join('_'));
    expect(await viaOther('/inventory', token)).toBe(200);
    expect((await api.call('DELETE', `/keys/${created.json.key.id}`)).status).toBe(200);
    // The other process trusts its verification for up to 5 s (its clock is the test's).
    clock += 5_001;
    expect(await viaOther('/inventory', token)).toBe(401);
  });

  it('rotation overlap across processes', async () => {
    const { id, token: old } = await api.key('viewer');
    const rotated = await api.call('POST', `/keys/${id}/rotate`, { body: { overlapSeconds: 10 } });
    clock += 9_000;
    expect(await viaOther('/inventory', old)).toBe(200);
    expect(await viaOther('/inventory', rotated.json.token)).toBe(200);
    clock += 1_000;
    expect(await viaOther('/inventory', old)).toBe(401);
    expect(await viaOther('/inventory', rotated.json.token)).toBe(200);
  });

  it('keeps the audit log append-only', async () => {
    expect((await api.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log'))[0]!.n).toBeGreaterThan(0);
    await expect(api.t.db.query("UPDATE audit_log SET actor_role = 'nobody'")).rejects.toThrow(/append-only/);
    await expect(api.t.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(api.t.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const code = await api.t.db.query('DELETE FROM audit_log').then(
      () => 'none',
      (err: { code?: string }) => err.code,
    );
    expect(code).toBe('42501');
  });

  it('numbers concurrent classifier writes densely, last write on disk', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => CLASSIFIER_YAML.replace('name: Loyalty number', `name: Loyalty number ${i}`));
    const replies = await Promise.all(bodies.map((body) => api.call('PUT', '/classifiers/loyalty_number', { body })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.map((r) => r.json.version.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const newest = await api.call('GET', '/classifiers/loyalty_number/versions/5');
    const current = await api.call('GET', '/classifiers/loyalty_number');
    expect(current.json.content).toBe(newest.json.content);
  });

  it('runs a deletion request and audits it by hash', async () => {
    const { identify, track } = await import('../storage/helpers.js');
    await api.storage.events.storeEvents([identify('pg-user', { email: 'pg@example.com' }), track('pg-user', 'Signed Up')]);
    const created = await api.call('POST', '/requests', { body: { type: 'DELETE', userId: 'pg-user' } });
    expect(created.status).toBe(202);
    await waitFor(async () => (await api.call('GET', `/requests/${created.json.id}`)).json.status === 'FINISHED');
    expect((await api.call('GET', `/requests/${created.json.id}/receipt`)).json.removed.events).toBe(2);
    const audit = JSON.stringify(await api.t.db.query('SELECT * FROM audit_log'));
    expect(audit).not.toContain('pg-user');
    expect(audit).not.toContain('pg@example.com');
  });
});
