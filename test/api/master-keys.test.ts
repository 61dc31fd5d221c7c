// Master-key rotation through the API and the CLI: data keys are re-wrapped under the newest
// version, after which the old version can leave the keyring and every event still opens.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as masterKeysCommand } from '../../src/cli/commands/master-keys.js';
import { Keyring } from '../../src/storage/crypto/master-keys.js';
import { exportSubject } from '../../src/storage/access.js';
import { openStorage } from '../../src/storage/storage.js';
import { identify, testHasher, track } from '../storage/helpers.js';
import { startTestApi, type TestApi } from './helpers.js';

const v1 = { version: 1, key: randomBytes(32) };
const v2 = { version: 2, key: randomBytes(32) };

describe('master-key rotation (API)', () => {
  const hasher = testHasher();
  let api: TestApi;
  beforeAll(async () => {
    // The API (and engines) got version 2 added to their keyring; the store was written under 1.
    api = await startTestApi({ engine: 'postgres', keyring: new Keyring([v1, v2]), hasher });
    const before = await openStorage({ db: api.t.db, keyring: new Keyring([v1]), hasher });
    await before.events.storeEvents([identify('rot-a', { plan: 'pro' }), track('rot-a', 'A'), track('rot-b', 'B')]);
  });
  afterAll(() => api.close());

  it('needs keys:manage', async () => {
    const auditor = await api.key('owner', ['audit:read']);
    expect((await api.call('GET', '/master-keys', { token: auditor.token })).status).toBe(403);
    expect((await api.call('POST', '/master-keys/rotate', { token: auditor.token, body: {} })).status).toBe(403);
  });

  it('re-wraps every data key under the newest version; then the old version can go', async () => {
    const status = await api.call('GET', '/master-keys');
    expect(status.json).toEqual({ currentVersion: 2, versions: [{ version: 1, keys: 2 }] });
    const rotated = await api.call('POST', '/master-keys/rotate', { body: { batchSize: 1 } });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.json).toMatchObject({ currentVersion: 2, rewrapped: 2, remaining: 0, versions: [{ version: 2, keys: 2 }] });
    expect(rotated.text).not.toContain(v1.key.toString('base64'));
    const after = await openStorage({ db: api.t.db, keyring: new Keyring([v2]), hasher });
    const exported = await exportSubject({ db: api.t.db, dataKeys: after.dataKeys, hasher }, { userId: 'rot-a' });
    expect(exported.subjects[0]).toMatchObject({ unreadableEvents: 0, profile: { plan: 'pro' } });
    const audit = await api.call('GET', '/audit?action=masterKeys.rotate');
    expect(audit.json.items).toHaveLength(1);
  });
});

describe('segmentloom master-keys (CLI)', () => {
  it('rotates a store to the newest version and shows the versions in use', async () => {
    const api = await startTestApi({ engine: 'postgres' });
    try {
      const hasher = testHasher();
      const old = await openStorage({ db: api.t.db, keyring: new Keyring([v1]), hasher });
      await old.events.storeEvents([identify('cli-a', { plan: 'pro' }), track('cli-a', 'A'), track('cli-b', 'B')]);
      const env = {
        SEGMENTLOOM_MASTER_KEYS: `1:${v1.key.toString('base64')},2:${v2.key.toString('base64')}`,
        SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
        DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      };
      let out = '';
      const io = { stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }), stderr: new Writable({ write: (_c, _e, cb) => cb() }), env };
      expect(await masterKeysCommand(['rotate', '--schema', api.t.schema, '--batch-size', '1'], io)).toBe(0);
      const rotated = JSON.parse(out);
      expect(rotated).toMatchObject({ currentVersion: 2, rewrapped: 2, remaining: 0, versions: [{ version: 2, keys: 2 }] });
      // The old version can leave the keyring: everything still opens under v2 alone.
      const fresh = await openStorage({ db: api.t.db, keyring: new Keyring([v2]), hasher });
      const exported = await exportSubject({ db: api.t.db, dataKeys: fresh.dataKeys, hasher }, { userId: 'cli-a' });
      expect(exported.subjects[0]).toMatchObject({ unreadableEvents: 0, profile: { plan: 'pro' } });
      expect(exported.subjects[0]!.events).toHaveLength(2);
      out = '';
      expect(await masterKeysCommand(['status', '--schema', api.t.schema], io)).toBe(0);
      expect(JSON.parse(out)).toEqual({ currentVersion: 2, versions: [{ version: 2, keys: 2 }] });
    } finally {
      await api.close();
    }
  });
});
