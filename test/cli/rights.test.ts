// Correction and portability through the real binary: `requests create CORRECT --correction FILE`
// (values from a file, never argv), its signed receipt verified offline, and `subject export
// --format ndjson|manifest`.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/storage.js';
import { dropSchema, identify, postgresUrl, track, uniqueSchema } from '../storage/helpers.js';
import { requireBuild, segmentloomAsync } from './helpers.js';

describe('correction and portability (the binary)', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const dir = mkdtempSync(path.join(tmpdir(), 'sl-rights-'));
  const schema = uniqueSchema('cli_rights');
  let url: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    requireBuild();
    url = await postgresUrl();
    env = {
      SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
      SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
      SEGMENTLOOM_RECEIPT_SIGNING_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      DATABASE_URL: url,
      SEGMENTLOOM_DB_SCHEMA: schema,
    };
    const storage = await openStorage({ url, schema, env });
    await storage.events.storeEvents([
      identify('cli-fix', { name: 'Ann Smiht', city: 'Oslo' }, new Date(Date.now() - 60_000).toISOString()),
      track('cli-fix', 'Signed Up', { plan: 'free' }),
    ]);
    await storage.close();
  }, 90_000);
  afterAll(() => dropSchema(url, schema));

  it('corrects from a file, issues a signed receipt naming fields only, and the export shows the change', async () => {
    const file = path.join(dir, 'correction.json');
    writeFileSync(file, JSON.stringify({ set: { name: 'Ann Smith' }, unset: ['city'] }));
    const created = await segmentloomAsync(['requests', 'create', 'CORRECT', '--user-id', 'cli-fix', '--correction', file], { env, timeoutMs: 60_000 });
    expect(created.status, created.stderr).toBe(0);
    const request = JSON.parse(created.stdout);
    expect(request.status).toBe('FINISHED');
    expect(request.receipt.corrected).toEqual({ profiles: 1, events: 1, fields: ['city', 'name'] });
    expect(created.stdout).not.toContain('Ann Smith');
    const receiptFile = path.join(dir, 'receipt.json');
    writeFileSync(receiptFile, JSON.stringify(request.receipt));
    const verified = await segmentloomAsync(['requests', 'verify', receiptFile], { env, timeoutMs: 60_000 });
    expect(verified.status, verified.stdout).toBe(0);

    const exported = await segmentloomAsync(['subject', 'export', '--user-id', 'cli-fix'], { env, timeoutMs: 60_000 });
    expect(exported.status, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).subjects[0].profile).toEqual({ name: 'Ann Smith' });
  });

  it('refuses a correction given without --correction, or not JSON, naming the flag', async () => {
    const missing = await segmentloomAsync(['requests', 'create', 'CORRECT', '--user-id', 'cli-fix'], { env, timeoutMs: 60_000 });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--correction');
    const bad = await segmentloomAsync(['requests', 'create', 'CORRECT', '--user-id', 'cli-fix', '--correction', '-'], {
      env,
      input: 'name=Ann',
      timeoutMs: 60_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--correction: not JSON');
  });

  it('exports the events as NDJSON in Segment spec, and a manifest', async () => {
    const ndjson = await segmentloomAsync(['subject', 'export', '--user-id', 'cli-fix', '--format', 'ndjson'], { env, timeoutMs: 60_000 });
    expect(ndjson.status, ndjson.stderr).toBe(0);
    const lines = ndjson.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.type)).toEqual(['identify', 'track']);
    const manifest = await segmentloomAsync(['subject', 'export', '--user-id', 'cli-fix', '--format', 'manifest'], { env, timeoutMs: 60_000 });
    expect(manifest.status, manifest.stderr).toBe(0);
    expect(JSON.parse(manifest.stdout)).toMatchObject({ events: { total: 2, byType: { identify: 1, track: 1 } }, profileTraits: ['name'] });
  });
});
