// An email link is a claim an event makes: one forged identify must not hand the victim's
// decrypted events to whoever names the address, nor let a DELETE by that address erase them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookVerifier, type IdentityClaim } from '../../src/api/identity-verification.js';
import { identify, track } from '../storage/helpers.js';
import { startTestApi, waitFor, type TestApi } from './helpers.js';

const MALLORY = 'mallory@example.com';

describe('export and erasure by email', () => {
  let api: TestApi;
  let hook: Server;
  const claims: IdentityClaim[] = [];
  beforeAll(async () => {
    // The deployment's verification service: a real HTTP endpoint saying yes to one ticket only.
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const claim = JSON.parse(body) as IdentityClaim;
        claims.push(claim);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ verified: claim.evidence === 'ticket-42' && claim.email === MALLORY }));
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/verify`;
    api = await startTestApi({ engine: 'postgres', identityVerifier: webhookVerifier(url) });
    await api.storage.events.storeEvents([
      identify('mallory', { email: MALLORY }),
      track('victim', 'Order Completed', { total: 99 }),
      // Forged: anyone can send an identify naming another user's id with their own address.
      identify('victim', { email: MALLORY }),
    ]);
  });
  afterAll(async () => {
    await api.close();
    await new Promise((resolve) => hook.close(resolve));
  });

  const exportByEmail = (headers: Record<string, string> = {}) => api.call('GET', `/subjects/export?email=${encodeURIComponent(MALLORY)}`, { headers });

  it('refuses an export by email the verification hook did not confirm', async () => {
    const unverified = await exportByEmail();
    expect(unverified.status).toBe(403);
    expect(unverified.json.error.code).toBe('verification_failed');
    expect((await exportByEmail({ 'x-identity-verification': 'made-up' })).status).toBe(403);
    expect(claims.at(-1)).toMatchObject({ email: MALLORY, evidence: 'made-up' });
  });

  it('reaches no subject through an address several subjects claim, even verified', async () => {
    const verified = await exportByEmail({ 'x-identity-verification': 'ticket-42' });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.json.subjects).toEqual([]);
    expect(verified.text).not.toContain('"total":99');
  });

  it('erases nobody by an ambiguous address, and the victim keeps their events', async () => {
    const created = await api.call('POST', '/requests', { body: { type: 'DELETE', email: MALLORY } });
    expect(created.status).toBe(202);
    let done: any;
    await waitFor(async () => (done = (await api.call('GET', `/requests/${created.json.id}`)).json).status === 'FINISHED');
    expect(done.receipt.subjects).toEqual([]);
    const victim = await api.call('GET', '/subjects/export?userId=victim');
    expect(victim.json.subjects[0].events.some((e: { event: string }) => e.event === 'Order Completed')).toBe(true);
  });
});

describe('export by email on a server without a verification hook', () => {
  let bare: TestApi;
  // A server over a store of its own: seconds of start-up on a busy machine, so in the hook.
  beforeAll(async () => {
    bare = await startTestApi({ identityVerifier: null });
  });
  afterAll(() => bare?.close());

  it('refuses every export by email', async () => {
    const reply = await bare.call('GET', `/subjects/export?email=${encodeURIComponent(MALLORY)}`);
    expect(reply.status).toBe(403);
    expect(reply.json.error.code).toBe('verification_required');
    expect((await bare.call('GET', '/subjects/export?userId=victim')).status).toBe(200);
  });
});
