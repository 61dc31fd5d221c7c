import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/api/server.js';
import { run as initCommand } from '../../src/cli/commands/init.js';
import { run as keysCommand } from '../../src/cli/commands/keys.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../../src/detect/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { openDb } from '../../src/storage/open.js';
import { storageOn } from '../storage/helpers.js';
import { startTestApi, tempDir, type TestApi } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secretOf = (token: string) => token.split('_').slice(2).join('_');

describe('API keys', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ now: () => new Date(clock) });
  });
  afterAll(() => api.close());

  it('shows the token once and stores only a SHA-256 of the secret', async () => {
    const created = await api.call('POST', '/keys', { body: { name: 'ci', role: 'editor' } });
    expect(created.status).toBe(201);
    const token: string = created.json.token;
    expect(token).toMatch(/^sl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.json.key).toMatchObject({ name: 'ci', role: 'editor', scopes: ['inventory:manage', 'policies:manage'], revokedAt: null });
    const secret = secretOf(token);

    const listed = await api.call('GET', '/keys');
    expect(listed.text).not.toContain(secret);
    expect(listed.json.items.find((k: { id: string }) => k.id === created.json.key.id)).not.toHaveProperty('token');

    const rows = [...(await api.t.db.query('SELECT * FROM api_keys')), ...(await api.t.db.query('SELECT * FROM api_key_secrets'))];
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(token);
    const [stored] = await api.t.db.query<{ secret_hash: string }>('SELECT secret_hash FROM api_key_secrets WHERE key_id = $1', [created.json.key.id]);
    expect(stored!.secret_hash).toBe(sha256(secret));

    const audit = JSON.stringify(await api.t.db.query('SELECT * FROM audit_log'));
    expect(audit).not.toContain(secret);
    expect((await api.call('GET', '/inventory', { token })).status).toBe(200);
  });

  it('rotation: both secrets work during the overlap, the old one stops after it', async () => {
    const { id, token: old } = await api.key('viewer', [], 'rotating');
    const rotated = await api.call('POST', `/keys/${id}/rotate`, { body: { overlapSeconds: 60 } });
    expect(rotated.status).toBe(200);
    const fresh: string = rotated.json.token;
    expect(fresh).not.toBe(old);
    expect(rotated.json.key.secrets).toHaveLength(2);
    expect(rotated.json.key.secrets[0].expiresAt).toBe(new Date(clock + 60_000).toISOString());

    clock += 59_000;
    expect((await api.call('GET', '/inventory', { token: old })).status).toBe(200);
    expect((await api.call('GET', '/inventory', { token: fresh })).status).toBe(200);

    clock += 2_000;
    const rejected = await api.call('GET', '/inventory', { token: old });
    expect(rejected.status).toBe(401);
    expect(rejected.json.error.message).toMatch(/invalid, expired or revoked/);
    expect((await api.call('GET', '/inventory', { token: fresh })).status).toBe(200);
    expect((await api.call('GET', '/keys')).json.items.find((k: { id: string }) => k.id === id).secrets).toHaveLength(1);
  });

  it('rotation with no overlap stops the old secret at once; the default overlap is an hour', async () => {
    const { id, token: old } = await api.key('viewer', [], 'rotate-now');
    const now = await api.call('POST', `/keys/${id}/rotate`, { body: { overlapSeconds: 0 } });
    expect((await api.call('GET', '/inventory', { token: old })).status).toBe(401);
    expect((await api.call('GET', '/inventory', { token: now.json.token })).status).toBe(200);
    const later = await api.call('POST', `/keys/${id}/rotate`);
    expect(later.status).toBe(200);
    expect(later.json.key.secrets[0].expiresAt).toBe(new Date(clock + 3_600_000).toISOString());
  });

  it('revocation takes effect at once in the revoking API process, within the key cache time in the others', async () => {
    // A second API server on the same database stands in for another process: no shared cache.
    const other = await startApi({
      storage: api.storage,
      classifierDirs: [BUILTIN_CLASSIFIERS_DIR],
      policyFile: null,
      registry: new Registry(),
      logger: silentLogger(),
      now: () => new Date(clock),
    });
    try {
      const { id, token } = await api.key('editor', undefined, 'to-revoke');
      expect((await fetch(`${other.url}/inventory`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const revoked = await api.call('DELETE', `/keys/${id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.json.revokedAt).not.toBeNull();
      expect(revoked.json.secrets).toEqual([]);
      expect((await api.call('GET', '/inventory', { token })).status).toBe(401);
      // The other process trusted its verification for up to 5 s (its clock is the test's).
      clock += 5_001;
      expect((await fetch(`${other.url}/inventory`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      // A revoked key cannot be rotated back to life.
      expect((await api.call('POST', `/keys/${id}/rotate`, { body: {} })).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('a key with fewer scopes cannot rotate or revoke a key with more (it could not have created it), but can manage itself', async () => {
    const { token: manager, id: managerId } = await api.key('owner', ['keys:manage'], 'limited-owner');
    const { id: full } = await api.key('owner', undefined, 'full-owner');
    const rotate = await api.call('POST', `/keys/${full}/rotate`, { token: manager, body: { overlapSeconds: 0 } });
    expect(rotate.status).toBe(403);
    expect(rotate.text).not.toMatch(/sl_[0-9a-f]{16}_/);
    expect((await api.call('DELETE', `/keys/${full}`, { token: manager })).status).toBe(403);
    expect((await api.call('POST', `/keys/${managerId}/rotate`, { token: manager, body: { overlapSeconds: 0 } })).status).toBe(200);
  });

  it('an owner key without keys:manage (an auditor) can neither list, mint nor rotate keys', async () => {
    const { token: auditor, id: auditorId } = await api.key('owner', ['audit:read'], 'auditor');
    const { id: viewer } = await api.key('viewer', [], 'dashboard');
    expect((await api.call('GET', '/audit', { token: auditor })).status).toBe(200);
    const list = await api.call('GET', '/keys', { token: auditor });
    expect(list.status).toBe(403);
    expect(list.json.error.message).toMatch(/needs scope keys:manage/);
    expect((await api.call('POST', '/keys', { token: auditor, body: { name: 'spare', role: 'owner', scopes: ['audit:read'] } })).status).toBe(403);
    const rotate = await api.call('POST', `/keys/${viewer}/rotate`, { token: auditor, body: { overlapSeconds: 0 } });
    expect(rotate.status).toBe(403);
    expect(rotate.text).not.toMatch(/sl_[0-9a-f]{16}_/);
    expect((await api.call('DELETE', `/keys/${auditorId}`, { token: auditor })).status).toBe(403);
  });

  it('revoking a key revokes the keys it minted, and theirs', async () => {
    const { token: parent, id: parentId } = await api.key('owner', ['keys:manage', 'audit:read'], 'parent');
    const child = await api.call('POST', '/keys', { token: parent, body: { name: 'child', role: 'owner', scopes: ['keys:manage', 'audit:read'] } });
    expect(child.status).toBe(201);
    const grandchild = await api.call('POST', '/keys', { token: child.json.token, body: { name: 'grandchild', role: 'owner', scopes: ['audit:read'] } });
    expect(grandchild.status).toBe(201);
    const bystander = await api.key('owner', ['audit:read'], 'bystander');
    const revoked = await api.call('DELETE', `/keys/${parentId}`);
    expect(revoked.status).toBe(200);
    for (const token of [parent, child.json.token, grandchild.json.token]) expect((await api.call('GET', '/audit', { token })).status).toBe(401);
    expect((await api.call('GET', '/audit', { token: bystander.token })).status).toBe(200);
    const audit = await api.call('GET', `/audit?action=keys.revoke&targetId=${parentId}`);
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0].after.revokedWithIt).toEqual([child.json.key.id, grandchild.json.key.id].sort());
  });

  it('a tampered secret with a valid key id is rejected', async () => {
    const { token } = await api.key('owner');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect((await api.call('GET', '/keys', { token: token.slice(0, -1) + last })).status).toBe(401);
  });
});

// Each command opens the embedded store itself, as the binary does: a start of the embedded
// PostgreSQL per command (7–11 s each on a loaded machine), and the second test runs eight.
// Their budget is that work, not the default 30 s for one.
describe('segmentloom keys (bootstrap CLI)', { timeout: 300_000 }, () => {
  const dataDir = join(tempDir('sl-keys-cli-'), 'db');
  const capture = () => {
    let text = '';
    return { stream: new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) }), text: () => text };
  };
  const cli = async (...args: string[]) => {
    const out = capture();
    const err = capture();
    const code = await keysCommand([...args, '--data-dir', dataDir], { stdout: out.stream, stderr: err.stream, env: {} });
    return { code, stdout: out.text(), stderr: err.text() };
  };

  it('refuses a store that does not exist: a key in a new, empty store would be a key to nothing', async () => {
    // Thrown for src/cli/main.ts to report (exit status 78); the binary is tested in test/cli.
    await expect(cli('list')).rejects.toThrow(`no Segmentloom store at ${dataDir}: the directory does not exist`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('creates the first owner key, printed once, usable against the API, audited as cli', async () => {
    // A new deployment creates its store first (or lets `serve` / `run` create it).
    expect(await initCommand(['--data-dir', dataDir], { stdout: capture().stream, stderr: capture().stream, env: {} })).toBe(0);
    const created = await cli('create', '--role', 'owner', '--name', 'admin');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sl_[0-9a-f]{16}_/);
    expect(created.stderr).toMatch(/shown once/);

    const listed = await cli('list', '--format', 'json');
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(secretOf(token));
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ name: 'admin', role: 'owner', createdBy: null });

    // Usage errors are thrown for src/cli/main.ts to report (exit status 2).
    await expect(cli('create', '--role', 'viewer', '--name', 'v', '--scopes', 'deletions:trigger')).rejects.toThrow(
      /a viewer key cannot hold deletions:trigger/,
    );
    await expect(cli('create', '--role', 'boss', '--name', 'v')).rejects.toThrow(/--role must be one of/);

    const db = await openDb({ dataDir });
    const storage = await storageOn(db);
    const api = await startApi({ storage, classifierDirs: [BUILTIN_CLASSIFIERS_DIR], policyFile: null, registry: new Registry(), logger: silentLogger() });
    try {
      const res = await fetch(`${api.url}/audit?action=keys.create`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Array<{ actor: unknown; after: unknown }> };
      expect(body.items[0]).toMatchObject({ actor: { keyId: null, role: 'cli' }, after: { name: 'admin', role: 'owner' } });
    } finally {
      await api.close();
      await db.close();
    }

    const id = /^sl_([0-9a-f]{16})_/.exec(token)![1]!;
    const rotated = await cli('rotate', id, '--overlap-seconds', '0');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).not.toBe(token);
    expect((await cli('revoke', id)).code).toBe(0);
    await expect(cli('revoke', 'ffffffffffffffff')).rejects.toThrow('no such key');
  });
});
