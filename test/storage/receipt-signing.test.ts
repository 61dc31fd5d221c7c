import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyConfigError } from '../../src/storage/crypto/master-keys.js';
import { canonicalJson, parseReceiptPublicKey, ReceiptSigner, verifyReceipt } from '../../src/storage/crypto/receipt-signing.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, identify, openTestDb, storageOn, track, type TestDb } from './helpers.js';

const newSigner = () => new ReceiptSigner(generateKeyPairSync('ed25519').privateKey);

describe('receipt signing key from the environment', () => {
  it('reads a PEM private key or the base64 of a 32-byte seed, and names the variable when it is unusable', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = ReceiptSigner.fromEnv({ SEGMENTLOOM_RECEIPT_SIGNING_KEY: pem })!;
    const seed = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).subarray(-32).toString('base64');
    const fromSeed = ReceiptSigner.fromEnv({ SEGMENTLOOM_RECEIPT_SIGNING_KEY: seed })!;
    expect(fromSeed.keyId).toBe(fromPem.keyId);
    expect(fromPem.keyId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ReceiptSigner.fromEnv({})).toBeNull();
    for (const bad of [
      'c2hvcnQ=',
      'not a key at all',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ]) {
      expect(() => ReceiptSigner.fromEnv({ SEGMENTLOOM_RECEIPT_SIGNING_KEY: bad })).toThrow(KeyConfigError);
      expect(() => ReceiptSigner.fromEnv({ SEGMENTLOOM_RECEIPT_SIGNING_KEY: bad })).toThrow(
        /^SEGMENTLOOM_RECEIPT_SIGNING_KEY: expected an Ed25519 private key/,
      );
    }
  });

  it('canonical JSON sorts keys at every depth, so storage that reorders them (jsonb) keeps the signature valid', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const signer = newSigner();
    const signed = signer.sign({ requestId: 'r', removed: { events: 2, dataKeys: 1 } });
    const reordered = { removed: { dataKeys: 1, events: 2 }, signature: signed.signature, requestId: 'r' };
    expect(verifyReceipt(reordered, signer.publicKey)).toEqual({ valid: true, keyId: signer.keyId });
  });
});

describe.each(ENGINES)('signed receipts (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  const signer = newSigner();
  beforeAll(async () => {
    t = await openTestDb(engine, 'receipts');
    s = await storageOn(t.db, { receiptSigner: signer });
  });
  afterAll(() => t.close());

  it('signs deletion and suppression receipts; each verifies with the public key as served (PEM) after the database round trip', async () => {
    await s.events.storeEvents([identify('sig-1', { email: 'sig1@example.com' }), track('sig-1', 'A')]);
    const deletion = await s.requests.submit('SUPPRESS_WITH_DELETE', { email: 'sig1@example.com' });
    const suppression = await s.requests.submit('SUPPRESS', { userId: 'sig-2' });
    const publicKey = parseReceiptPublicKey(signer.publicKeyPem);
    for (const done of [deletion, suppression]) {
      const stored = await s.requests.receipt(done.id);
      expect(stored!.signature).toMatchObject({ algorithm: 'Ed25519', keyId: signer.keyId });
      // As a file would hold it: serialised, read back.
      expect(verifyReceipt(JSON.parse(JSON.stringify(stored)), publicKey)).toEqual({ valid: true, keyId: signer.keyId });
    }
    expect((await s.requests.receipt(deletion.id))!.removed.events).toBe(2);
  });

  it('a tampered receipt, a receipt checked against another key, and an unsigned one all fail', async () => {
    const done = await s.requests.submit('DELETE', { userId: 'sig-3' });
    const receipt = JSON.parse(JSON.stringify(await s.requests.receipt(done.id)));
    const tampered = { ...receipt, finishedAt: new Date(Date.parse(receipt.finishedAt) - 86_400_000).toISOString() };
    expect(verifyReceipt(tampered, signer.publicKey)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
    const moreRemoved = { ...receipt, removed: { ...receipt.removed, events: receipt.removed.events + 5 } };
    expect(verifyReceipt(moreRemoved, signer.publicKey).valid).toBe(false);
    const other = newSigner();
    expect(verifyReceipt(receipt, other.publicKey)).toMatchObject({ valid: false, reason: expect.stringMatching(/not by the given key/) });
    // Re-signed by another key but claiming ours: the key id no longer fits the signature.
    const forged = { ...other.sign(tampered), signature: { ...other.sign(tampered).signature, keyId: signer.keyId } };
    expect(verifyReceipt(forged, signer.publicKey).valid).toBe(false);
    const { signature: _sig, ...unsigned } = receipt;
    expect(verifyReceipt(unsigned, signer.publicKey)).toEqual({ valid: false, reason: 'the receipt is not signed' });
    expect(verifyReceipt([receipt], signer.publicKey).valid).toBe(false);
  });

  it('issues unsigned receipts when no key is configured', async () => {
    const unsigned = await storageOn(t.db, { receiptSigner: null });
    const done = await unsigned.requests.submit('SUPPRESS', { userId: 'sig-4' });
    expect(done.receipt!.signature).toBeUndefined();
  });
});
