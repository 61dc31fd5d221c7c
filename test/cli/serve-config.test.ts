// `serve --config` opens the store and keys the config's storage section names, exactly as the
// engine does: no SEGMENTLOOM_* key in the environment, and the API answers from the store the
// engine wrote. Through the real binary and a real HTTP request.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, ROOT, segmentloomAsync } from './helpers.js';

const CLEAN = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => /^(DATABASE_URL|SEGMENTLOOM_)/.test(k))
    .map((k) => [k, '']),
);
const ENV = { ...CLEAN, SEGMENTLOOM_HASH_KEY: 'serve-config-test-hash-key-0123456789' };

const CONFIG = `source: web
files: { input: ./events.ndjson, outDir: ./out }
classifiers: [builtin]
hashing: { current: 1, keys: [{ version: 1, secret: "\${SEGMENTLOOM_HASH_KEY}" }] }
destinations:
  - { name: warehouse, topic: wh }
inventory: { flushIntervalMs: 100 }
storage:
  dataDir: ./data
  masterKeys: 1:c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA=
  lookupKey: c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE=
logging: { level: silent }
`;

describe('serve --config takes the store and keys from the storage section', () => {
  let dir: string;
  let config: string;
  let token: string | undefined;
  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'serve-config-'));
    config = path.join(dir, 'engine.yaml');
    writeFileSync(config, CONFIG);
    const event = { type: 'identify', messageId: 'sc-1', userId: 'u-sc', traits: { email: 'ana.silva@example.org' } };
    writeFileSync(path.join(dir, 'events.ndjson'), `${JSON.stringify(event)}\n`);
    const ran = await segmentloomAsync(['run', '--config', config], { env: ENV, timeoutMs: 150_000 });
    expect(ran.status, ran.stderr).toBe(0);
    const created = await segmentloomAsync(['keys', 'create', '--role', 'viewer', '--name', 'reader', '--config', config], { env: ENV, timeoutMs: 150_000 });
    expect(created.status, created.stderr).toBe(0);
    token = /sl_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
    expect(token).toBeDefined();
    // Two processes, each starting the embedded store: minutes on a loaded machine, hence the hook's own budget.
  }, 330_000);

  it('starts with no key variables set and serves the inventory the engine wrote', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), 'serve', '--config', config, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string | null>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        const found = /"url":"(http[^"]+)"/.exec(stderr)?.[1];
        if (found) resolve(found);
      });
      void exited.then(() => resolve(null));
    });
    try {
      expect(url, stderr).not.toBeNull();
      expect(stderr).not.toContain('no master key');
      const res = await fetch(`${url}/inventory?limit=50`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Array<{ path: string; category: string | null }> };
      expect(body.items).toContainEqual(expect.objectContaining({ path: 'traits.email', category: 'email' }));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
