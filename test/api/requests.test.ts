import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlertsConfig } from '../../src/alerts/config.js';
import { createLogger } from '../../src/core/logger.js';
import { Registry } from 'prom-client';
import { startApi } from '../../src/api/server.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../../src/detect/load.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { identify, track } from '../storage/helpers.js';
import { startTestApi, waitFor, type TestApi } from './helpers.js';

describe('deletion and suppression requests, access export, alert tests', () => {
  let api: TestApi;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver((n) => (n === 1 ? { status: 200 } : { status: 500 }));
    const alertsConfig = parseAlertsConfig(
      {
        baseUrl: 'https://segmentloom.example',
        channels: [
          { name: 'hook', type: 'webhook', url: receiver.url, secret: 'webhook-secret-0123456789' },
          { name: 'ops', type: 'slack', url: 'http://127.0.0.1:9/never' },
        ],
      },
      {},
    );
    // Exports by email need the deployment's verification hook; this suite's says yes to evidence it issued.
    api = await startTestApi({ alertsConfig, identityVerifier: async (claim) => claim.evidence === 'verified-ticket' });
    await api.storage.events.storeEvents([
      identify('user-7', { email: 'Seven@Example.com', plan: 'pro' }),
      track('user-7', 'Order Completed', { total: 7 }),
      track('user-8', 'Order Completed', { total: 8 }),
    ]);
  });
  afterAll(async () => {
    await api.close();
    await receiver.close();
  });

  const finished = async (id: string) => {
    let last: any;
    await waitFor(async () => ['FINISHED', 'FAILED'].includes((last = (await api.call('GET', `/requests/${id}`)).json).status));
    return last;
  };

  it('exports everything stored about a subject (owners with profiles:read only)', async () => {
    const exported = await api.call('GET', '/subjects/export?userId=user-7');
    expect(exported.status).toBe(200);
    expect(exported.json.idKind).toBe('userId');
    expect(exported.json.subjects[0].events.map((e: { event: string }) => e.event).sort()).toEqual(['Order Completed', 'identify']);
    expect(exported.json.subjects[0].profile).toMatchObject({ plan: 'pro' });
    const byEmail = await api.call('GET', `/subjects/export?email=${encodeURIComponent('seven@example.com')}`, {
      headers: { 'x-identity-verification': 'verified-ticket' },
    });
    expect(byEmail.json.subjects).toHaveLength(1);
    const noProfiles = await api.key('owner', ['deletions:trigger']);
    expect((await api.call('GET', '/subjects/export?userId=user-7', { token: noProfiles.token })).status).toBe(403);
  });

  it('runs a deletion by email and gives status and receipt', async () => {
    const created = await api.call('POST', '/requests', { body: { type: 'SUPPRESS_WITH_DELETE', email: 'seven@example.com' } });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({ type: 'SUPPRESS_WITH_DELETE', idKind: 'email', lookupHash: api.storage.hasher.emailHash('seven@example.com') });
    expect(created.text).not.toContain('seven@example.com');
    const done = await finished(created.json.id);
    expect(done.status).toBe('FINISHED');
    const receipt = await api.call('GET', `/requests/${created.json.id}/receipt`);
    expect(receipt.status).toBe(200);
    // Suppressed: the linked subject, and the email itself (for subjects not linked to it yet).
    expect(receipt.json).toMatchObject({
      requestId: created.json.id,
      subjects: [api.storage.hasher.subjectHash('user-7')],
      suppressed: 2,
      removed: { events: 2 },
    });
    const after = await api.call('GET', '/subjects/export?userId=user-7');
    expect(after.json.subjects[0]).toMatchObject({ events: [], suppressed: true, profile: null });
    expect((await api.call('GET', '/subjects/export?userId=user-8')).json.subjects[0].events).toHaveLength(1);
  });

  it('suppresses and unsuppresses by anonymousId; unknown ids are 404', async () => {
    const suppress = await api.call('POST', '/requests', { body: { type: 'SUPPRESS', anonymousId: 'anon-9' } });
    expect((await finished(suppress.json.id)).receipt.suppressed).toBe(1);
    const undo = await api.call('POST', '/requests', { body: { type: 'UNSUPPRESS', anonymousId: 'anon-9' } });
    expect((await finished(undo.json.id)).receipt.unsuppressed).toBe(1);
    expect((await api.call('GET', '/requests/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api.call('GET', '/requests/00000000-0000-4000-8000-000000000000/receipt')).status).toBe(404);
  });

  it('answers 409 for the receipt of a request that has not finished', async () => {
    const pending = await api.storage.requests.create('DELETE', { userId: 'later' });
    const receipt = await api.call('GET', `/requests/${pending.id}/receipt`);
    expect(receipt.status).toBe(409);
    expect(receipt.json.error.code).toBe('not_finished');
  });

  it('sends a test alert through a channel; a failing receiver is a 502 without the URL', async () => {
    const channels = await api.call('GET', '/alerts/channels');
    expect(channels.json.items).toEqual([
      { name: 'hook', type: 'webhook' },
      { name: 'ops', type: 'slack' },
    ]);
    expect(channels.text).not.toContain(receiver.url);
    const ok = await api.call('POST', '/alerts/channels/hook/test');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ name: 'hook', type: 'webhook', delivered: true });
    expect(receiver.requests[0]!.body).toContain('segmentloom-test');
    const failed = await api.call('POST', '/alerts/channels/hook/test');
    expect(failed.status).toBe(502);
    expect(failed.json.error.code).toBe('delivery_failed');
    expect(failed.text).not.toContain(receiver.url);
    expect((await api.call('POST', '/alerts/channels/missing/test')).status).toBe(404);
    const audit = await api.call('GET', '/audit?action=alerts.test');
    expect(audit.json.items.map((e: { after: { delivered: boolean } }) => e.after.delivered)).toEqual([true, false]);
  });

  it('never writes identifiers or query strings to the request log', async () => {
    let logged = '';
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (c, _e, cb) => ((logged += String(c)), cb()) }) });
    const logging = await startApi({ storage: api.storage, classifierDirs: [BUILTIN_CLASSIFIERS_DIR], policyFile: null, registry: new Registry(), logger });
    try {
      const headers = { authorization: `Bearer ${api.owner}`, 'content-type': 'application/json' };
      await fetch(`${logging.url}/subjects/export?email=${encodeURIComponent('private.person@example.com')}`, { headers });
      const created = await fetch(`${logging.url}/requests`, { method: 'POST', headers, body: JSON.stringify({ type: 'DELETE', userId: 'private-user-id' }) });
      await fetch(`${logging.url}/requests`, { method: 'POST', headers, body: JSON.stringify({ type: 'DELETE', email: 'broken-private-value' }) });
      await fetch(`${logging.url}/nope?email=private.person@example.com`, { headers });
      expect(created.status).toBe(202);
    } finally {
      await logging.close();
    }
    expect(logged).toContain('"route":"/subjects/export"');
    expect(logged).not.toContain('private');
    expect(logged).not.toContain(api.owner);
  });
});
