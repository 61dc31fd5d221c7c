// The ingest's write keys through the API: created for a source and shown once, stored only as a
// SHA-256, listed without secrets, rotated with an overlap, revoked at once, every change audited
// exactly as `segmentloom ingest keys` audits it. The ingest's own check (WriteKeyStore.verify)
// is what decides whether a key opens the endpoint.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteKeyStore } from '../../src/api/write-keys.js';
import { startTestApi, type TestApi } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secretOf = (writeKey: string) => writeKey.split('_').slice(2).join('_');

describe('write keys through the API', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let api: TestApi;
  let ingestSide: WriteKeyStore;
  beforeAll(async () => {
    api = await startTestApi({ now: () => new Date(clock) });
    ingestSide = new WriteKeyStore(api.t.db, () => new Date(clock));
  });
  afterAll(() => api.close());

  it('create: the write key once, for its source only, hashed at rest, audited without the secret', async () => {
    const created = await api.call('POST', '/write-keys', { body: { source: 'web-app' } });
    expect(created.status).toBe(201);
    const writeKey: string = created.json.writeKey;
    expect(writeKey).toMatch(/^wk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.json.key).toMatchObject({ source: 'web-app', scopes: ['events:write'], revokedAt: null });
    expect(await ingestSide.verify(writeKey)).toEqual({ keyId: created.json.key.id, source: 'web-app' });
    // A write key is not an API key.
    expect((await api.call('GET', '/inventory', { token: writeKey })).status).toBe(401);

    const listed = await api.call('GET', '/write-keys');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(secretOf(writeKey));
    expect(listed.json.items.map((k: { id: string }) => k.id)).toContain(created.json.key.id);

    const [stored] = await api.t.db.query<{ secret_hash: string }>('SELECT secret_hash FROM write_key_secrets WHERE key_id = $1', [created.json.key.id]);
    expect(stored!.secret_hash).toBe(sha256(secretOf(writeKey)));
    const audit = await api.t.db.query<{ action: string; target_id: string; actor_role: string; after: unknown }>(
      "SELECT * FROM audit_log WHERE action LIKE 'write_keys.%'",
    );
    expect(audit).toEqual([expect.objectContaining({ action: 'write_keys.create', target_id: created.json.key.id, actor_role: 'owner' })]);
    expect(JSON.stringify(audit)).not.toContain(secretOf(writeKey));
    expect(audit[0]!.after).toEqual({ source: 'web-app', scopes: ['events:write'], revokedAt: null, liveSecrets: 1 });
  });

  it('rotate: both write keys open the ingest during the overlap, the old one stops after it', async () => {
    const created = await api.call('POST', '/write-keys', { body: { source: 'mobile' } });
    const id: string = created.json.key.id;
    const old: string = created.json.writeKey;
    const rotated = await api.call('POST', `/write-keys/${id}/rotate`, { body: { overlapSeconds: 60 } });
    expect(rotated.status).toBe(200);
    const fresh: string = rotated.json.writeKey;
    expect(fresh).not.toBe(old);
    expect(rotated.json.key.secrets).toHaveLength(2);
    clock += 59_000;
    expect(await ingestSide.verify(old)).not.toBeNull();
    expect(await ingestSide.verify(fresh)).toEqual({ keyId: id, source: 'mobile' });
    clock += 2_000;
    expect(await ingestSide.verify(old)).toBeNull();
    expect(await ingestSide.verify(fresh)).not.toBeNull();
    const [entry] = await api.t.db.query<{ after: { overlapSeconds: number } }>(
      "SELECT after FROM audit_log WHERE action = 'write_keys.rotate' AND target_id = $1",
      [id],
    );
    expect(entry!.after.overlapSeconds).toBe(60);
  });

  it('revoke: at once; then rotate and revoke of it, and of unknown ids, are 404 or no-ops', async () => {
    const created = await api.call('POST', '/write-keys', { body: { source: 'server' } });
    const id: string = created.json.key.id;
    const revoked = await api.call('DELETE', `/write-keys/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).toBe(new Date(clock).toISOString());
    expect(revoked.json.secrets).toEqual([]);
    expect(await ingestSide.verify(created.json.writeKey)).toBeNull();
    expect((await api.call('POST', `/write-keys/${id}/rotate`, { body: {} })).status).toBe(404);
    expect((await api.call('DELETE', '/write-keys/0123456789abcdef')).status).toBe(404);
    expect((await api.call('POST', '/write-keys', { body: { source: '  ' } })).status).toBe(400);
    expect((await api.call('POST', `/write-keys/${id}/rotate`, { body: { overlapSeconds: 8 * 24 * 3600 } })).status).toBe(400);
  });

  it('an ingest process trusts a verified write key for 5 s: a revocation elsewhere holds there after that', async () => {
    const created = await api.call('POST', '/write-keys', { body: { source: 'cached' } });
    const writeKey: string = created.json.writeKey;
    expect(await ingestSide.verify(writeKey)).not.toBeNull();
    expect((await api.call('DELETE', `/write-keys/${created.json.key.id}`)).status).toBe(200);
    // The API process's own store forgot it at once; the ingest's store is another process's.
    expect(await ingestSide.verify(writeKey)).not.toBeNull();
    clock += 5_001;
    expect(await ingestSide.verify(writeKey)).toBeNull();
    const uncached = new WriteKeyStore(api.t.db, () => new Date(clock), 0);
    expect(await uncached.verify(writeKey)).toBeNull();
  });

  it('an editor, or an owner key without keys:manage, cannot manage write keys', async () => {
    const editor = (await api.key('editor', ['inventory:manage', 'policies:manage'])).token;
    const auditor = (await api.key('owner', ['audit:read'])).token;
    for (const token of [editor, auditor]) {
      expect((await api.call('GET', '/write-keys', { token })).status).toBe(403);
      expect((await api.call('POST', '/write-keys', { token, body: { source: 'web-app' } })).status).toBe(403);
    }
  });
});
