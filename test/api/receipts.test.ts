import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReceiptPublicKey, ReceiptSigner, verifyReceipt } from '../../src/storage/crypto/receipt-signing.js';
import { track } from '../storage/helpers.js';
import { startTestApi, waitFor, type TestApi } from './helpers.js';

describe('signed receipts over the API', () => {
  let api: TestApi;
  const signer = new ReceiptSigner(generateKeyPairSync('ed25519').privateKey);
  beforeAll(async () => {
    api = await startTestApi({ receiptSigner: signer });
    await api.storage.events.storeEvents([track('rcpt-1', 'Order Completed', { total: 1 })]);
  });
  afterAll(() => api.close());

  it('serves the public key without an API key, and a deletion receipt verifies with it; altered, it does not', async () => {
    const served = await api.call('GET', '/receipts/public-key', { token: null });
    expect(served.status).toBe(200);
    expect(served.json).toEqual({ algorithm: 'Ed25519', keyId: signer.keyId, publicKey: signer.publicKeyPem });
    const created = await api.call('POST', '/requests', { body: { type: 'DELETE', userId: 'rcpt-1' } });
    expect(created.status).toBe(202);
    await waitFor(async () => (await api.call('GET', `/requests/${created.json.id}`)).json.status === 'FINISHED');
    const receipt = (await api.call('GET', `/requests/${created.json.id}/receipt`)).json;
    expect(receipt.removed.events).toBe(1);
    const key = parseReceiptPublicKey(served.json.publicKey);
    expect(verifyReceipt(receipt, key)).toEqual({ valid: true, keyId: signer.keyId });
    expect(verifyReceipt({ ...receipt, where: [] }, key).valid).toBe(false);
  });
});

describe('receipts over the API without a signing key', () => {
  let unsigned: TestApi;
  // A server over a store of its own: seconds of start-up on a busy machine, so in the hook.
  beforeAll(async () => {
    unsigned = await startTestApi();
  });
  afterAll(() => unsigned?.close());

  it('answers 404 for the public key when no signing key is configured', async () => {
    const reply = await unsigned.call('GET', '/receipts/public-key', { token: null });
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ error: { code: 'not_found' } });
  });
});
