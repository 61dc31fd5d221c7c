// Correction and portability through the API: a CORRECT request over HTTP, the audit entry naming
// fields but no values, the export's manifest and its NDJSON of Segment-spec events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertObservations } from '../../src/inventory/store.js';
import { identify, track } from '../storage/helpers.js';
import { startTestApi, waitFor, type TestApi } from './helpers.js';

describe('correction and portability over the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await api.storage.events.storeEvents([
      identify('port-1', { email: 'wrong@example.com', city: 'Lyon' }, new Date(Date.now() - 3_600_000).toISOString()),
      track('port-1', 'Order Completed', { total: 12, shipping_email: 'wrong@example.com' }),
      track('port-1', 'Order Completed', { total: 30 }),
    ]);
    const now = new Date().toISOString();
    await upsertObservations(api.storage.db, [
      {
        source: 'web',
        event: 'Order Completed',
        path: 'properties.shipping_email',
        category: 'email',
        dataCategory: 'user.contact.email',
        classification: 'red',
        matchedOn: 'key+value',
        confidence: 0.95,
        matcher: 'key',
        count: 1,
        firstSeen: now,
        lastSeen: now,
        example: 'w***@example.com',
        exampleSubject: null,
      },
      {
        source: 'web',
        event: 'identify',
        path: 'traits.city',
        category: 'city',
        dataCategory: 'user.contact.address.city',
        classification: 'yellow',
        matchedOn: 'key',
        confidence: 0.8,
        matcher: 'key',
        count: 1,
        firstSeen: now,
        lastSeen: now,
        example: 'L***',
        exampleSubject: null,
      },
    ]);
  });
  afterAll(() => api.close());

  it('corrects a subject through POST /requests (type CORRECT), audited by field names only', async () => {
    const created = await api.call('POST', '/requests', {
      body: { type: 'CORRECT', userId: 'port-1', correction: { set: { email: 'right@example.com' }, unset: ['city'] } },
    });
    expect(created.status).toBe(202);
    expect(created.text).not.toContain('right@example.com');
    let request: any;
    await waitFor(async () => (request = (await api.call('GET', `/requests/${created.json.id}`)).json).status === 'FINISHED');
    expect(request.forwardedAt).toBeNull();
    expect(request.receipt.corrected).toEqual({ profiles: 1, events: 1, fields: ['city', 'email'] });
    const exported = await api.call('GET', '/subjects/export?userId=port-1');
    expect(exported.json.subjects[0].profile).toEqual({ email: 'right@example.com' });
    const audit = await api.call('GET', '/audit?action=requests.create');
    expect(audit.text).toContain('"fields"');
    expect(audit.text).not.toContain('right@example.com');
  });

  it('refuses a correction on another request type, and a CORRECT without one, naming the field', async () => {
    const stray = await api.call('POST', '/requests', { body: { type: 'DELETE', userId: 'port-1', correction: { set: { a: 1 } } } });
    expect(stray.status).toBe(400);
    expect(stray.text).toContain('correction');
    const bare = await api.call('POST', '/requests', { body: { type: 'CORRECT', userId: 'port-1' } });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('correction');
  });

  it('adds a manifest a person can read to the JSON export: categories, sources, time range', async () => {
    const exported = await api.call('GET', '/subjects/export?userId=port-1');
    const manifest = exported.json.manifest;
    expect(manifest.events).toMatchObject({
      total: 3,
      byType: { identify: 1, track: 2 },
      byName: [
        { name: 'Order Completed', count: 2 },
        { name: 'identify', count: 1 },
      ],
    });
    expect(manifest.categories[0]).toEqual({ category: 'email', classification: 'red', paths: ['properties.shipping_email'] });
    expect(manifest.sources).toEqual(['web']);
    expect(Date.parse(manifest.timeRange.from)).toBeLessThan(Date.parse(manifest.timeRange.to));
    expect(manifest.profileTraits).toEqual(['email']);
  });

  it('serves the events as NDJSON in Segment spec, one call per line, oldest first', async () => {
    const reply = await api.call('GET', '/subjects/export.ndjson?userId=port-1');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('application/x-ndjson');
    expect(reply.headers.get('cache-control')).toContain('no-store');
    const lines = reply.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.type)).toEqual(['identify', 'track', 'track']);
    expect(lines.every((e) => typeof e.messageId === 'string' && e.userId === 'port-1')).toBe(true);
    expect((await api.call('GET', '/subjects/export.ndjson?userId=port-1', { token: (await api.key('viewer')).token })).status).toBe(403);
  });
});
