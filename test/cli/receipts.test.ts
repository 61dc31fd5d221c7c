// `segmentloom requests verify FILE` through the real binary: a receipt issued by `requests create`
// verifies offline with the public key alone; the same receipt altered does not.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';
import { requireBuild, segmentloomAsync } from './helpers.js';

describe('requests verify (the binary)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const dir = mkdtempSync(path.join(tmpdir(), 'sl-receipts-'));
  const publicPem = path.join(dir, 'receipts.pub.pem');
  const schema = uniqueSchema('cli_receipts');
  let url: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    requireBuild();
    url = await postgresUrl();
    writeFileSync(publicPem, publicKey.export({ format: 'pem', type: 'spki' }));
    env = {
      SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
      SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
      SEGMENTLOOM_RECEIPT_SIGNING_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      DATABASE_URL: url,
      SEGMENTLOOM_DB_SCHEMA: schema,
    };
    expect((await segmentloomAsync(['init'], { env, timeoutMs: 60_000 })).status).toBe(0);
  }, 90_000);
  afterAll(() => dropSchema(url, schema));

  it('a receipt issued by `requests create` verifies with the public key; tampered, unsigned or checked against another key it fails', async () => {
    const created = await segmentloomAsync(['requests', 'create', 'SUPPRESS_WITH_DELETE', '--user-id', '-'], { env, input: 'cli-user-1\n', timeoutMs: 60_000 });
    expect(created.status, created.stderr).toBe(0);
    const request = JSON.parse(created.stdout);
    expect(request.receipt.signature).toMatchObject({ algorithm: 'Ed25519' });
    const fetched = await segmentloomAsync(['requests', 'receipt', request.id], { env, timeoutMs: 60_000 });
    expect(fetched.status, fetched.stderr).toBe(0);
    const file = path.join(dir, 'receipt.json');
    writeFileSync(file, fetched.stdout);

    // Offline: no database, no lookup key, only the public key file.
    const offline = { DATABASE_URL: '', SEGMENTLOOM_LOOKUP_KEY: '', SEGMENTLOOM_RECEIPT_SIGNING_KEY: '' };
    const ok = await segmentloomAsync(['requests', 'verify', file, '--public-key', publicPem], { env: offline });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, requestId: request.id });
    // The whole request (as `requests create` printed it) holds the same receipt.
    writeFileSync(path.join(dir, 'request.json'), created.stdout);
    expect((await segmentloomAsync(['requests', 'verify', path.join(dir, 'request.json'), '--public-key', publicPem], { env: offline })).status).toBe(0);
    // Without --public-key, the key of the signing key in the environment is used.
    expect((await segmentloomAsync(['requests', 'verify', file], { env })).status).toBe(0);

    const receipt = JSON.parse(fetched.stdout);
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...receipt, suppressed: receipt.suppressed + 1 }));
    const bad = await segmentloomAsync(['requests', 'verify', tampered, '--public-key', publicPem], { env: offline });
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });

    const otherPem = path.join(dir, 'other.pub.pem');
    writeFileSync(otherPem, generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }));
    expect((await segmentloomAsync(['requests', 'verify', file, '--public-key', otherPem], { env: offline })).status).toBe(1);
    const { signature: _s, ...unsigned } = receipt;
    writeFileSync(tampered, JSON.stringify(unsigned));
    expect(JSON.parse((await segmentloomAsync(['requests', 'verify', tampered, '--public-key', publicPem], { env: offline })).stdout).reason).toBe(
      'the receipt is not signed',
    );
    writeFileSync(tampered, '{not json');
    const notJson = await segmentloomAsync(['requests', 'verify', tampered, '--public-key', publicPem], { env: offline });
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/is not JSON/);
  }, 120_000);

  it('an unusable key is a configuration error (exit 78) naming where it came from', async () => {
    const garbage = path.join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    const viaFlag = await segmentloomAsync(['requests', 'verify', garbage, '--public-key', garbage], { env: { SEGMENTLOOM_RECEIPT_SIGNING_KEY: '' } });
    expect(viaFlag.status).toBe(78);
    expect(viaFlag.stderr).toMatch(/--public-key: expected an Ed25519 public key/);
    const badSigning = await segmentloomAsync(['requests', 'status', '00000000-0000-4000-8000-000000000000'], {
      env: { ...env, SEGMENTLOOM_RECEIPT_SIGNING_KEY: 'c2hvcnQ=' },
    });
    expect(badSigning.status).toBe(78);
    expect(badSigning.stderr).toMatch(/SEGMENTLOOM_RECEIPT_SIGNING_KEY: expected an Ed25519 private key/);
  });
});
