// The alert outbox through the API (list the parked deliveries, retry one now) and the requests
// list, paged and filtered by the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlOutbox } from '../../src/alerts/outbox-sql.js';
import type { Alert } from '../../src/alerts/types.js';
import { startTestApi, type TestApi } from './helpers.js';

const alert = (path: string): Alert => ({
  id: `a-${path}`,
  kind: 'new',
  source: 'web',
  event: 'Signed Up',
  path,
  classification: 'red',
  category: { id: 'email', dataCategory: 'user.contact.email' },
  matcher: 'email key',
  matchedOn: 'key',
  confidence: 0.8,
  example: 'j***@example.com',
  detectedAt: '2026-01-01T00:00:00.000Z',
  inboxUrl: 'https://segmentloom.example/inventory/inbox',
});

describe('alert outbox and the requests list through the API', () => {
  let s: TestApi;
  beforeAll(async () => {
    s = await startTestApi();
  });
  afterAll(async () => s?.close());

  it('lists parked deliveries oldest first without examples; an editor retries one, a viewer may not', async () => {
    const outbox = new SqlOutbox(s.t.db);
    const later = new Date(Date.now() + 3_600_000);
    await outbox.put({
      channel: 'ops',
      alerts: [alert('traits.email'), alert('traits.phone')],
      lastError: 'slack channel "ops": HTTP 500',
      nextAttemptAt: later,
    });
    await outbox.put({ channel: 'hook', alerts: [alert('traits.name')], lastError: 'webhook "hook": HTTP 503', nextAttemptAt: later });
    const viewer = await s.key('viewer');
    const list = await s.call('GET', '/alerts/outbox', { token: viewer.token });
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(2);
    expect(list.json.items.map((d: any) => [d.channel, d.alerts, d.lastError])).toEqual([
      ['ops', 2, 'slack channel "ops": HTTP 500'],
      ['hook', 1, 'webhook "hook": HTTP 503'],
    ]);
    expect(list.json.items[0].points).toEqual([
      { kind: 'new', source: 'web', event: 'Signed Up', path: 'traits.email', classification: 'red' },
      { kind: 'new', source: 'web', event: 'Signed Up', path: 'traits.phone', classification: 'red' },
    ]);
    expect(list.text).not.toContain('j***@example.com');
    expect((await s.call('GET', '/alerts/outbox?channel=hook')).json.items.map((d: any) => d.channel)).toEqual(['hook']);

    const id = list.json.items[0].id;
    expect((await s.call('POST', `/alerts/outbox/${id}/retry`, { token: viewer.token })).status).toBe(403);
    const editor = await s.key('editor', ['policies:manage']);
    const retried = await s.call('POST', `/alerts/outbox/${id}/retry`, { token: editor.token });
    expect(retried.status).toBe(200);
    expect(Date.parse(retried.json.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    // Due now: the engines' sweep takes it (and leases it); a retry while it is being sent is refused.
    const claimed = await outbox.claimDue({ now: new Date(), limit: 10, leaseMs: 60_000 });
    expect(claimed.map((e) => e.id)).toEqual([id]);
    const busy = await s.call('POST', `/alerts/outbox/${id}/retry`, { token: editor.token });
    expect(busy.status).toBe(409);
    expect(busy.json.error.code).toBe('delivery_in_progress');
    expect((await s.call('POST', '/alerts/outbox/no-such-id/retry')).status).toBe(404);
    const audit = await s.call('GET', '/audit?action=alerts.retry');
    expect(audit.json.items.map((e: any) => [e.target.id, e.after.channel])).toEqual([[id, 'ops']]);
  });

  it('pages and filters requests on the server, newest first', async () => {
    for (let i = 0; i < 5; i++) await s.storage.requests.create('SUPPRESS', { userId: `u-${i}` });
    await s.storage.requests.create('DELETE', { userId: 'u-delete' });
    const first = await s.call('GET', '/requests?type=SUPPRESS&limit=2');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(first.json.items).toHaveLength(2);
    expect(first.json.items.every((r: any) => r.type === 'SUPPRESS' && r.status === 'RECEIVED')).toBe(true);
    const rest = await s.call('GET', '/requests?type=SUPPRESS&limit=10&offset=2');
    expect(rest.json.items).toHaveLength(3);
    const ids = [...first.json.items, ...rest.json.items].map((r: any) => r.id);
    expect(new Set(ids).size).toBe(5);
    const received = [...first.json.items, ...rest.json.items].map((r: any) => Date.parse(r.receivedAt));
    expect(received).toEqual([...received].sort((a, b) => b - a));
    expect((await s.call('GET', '/requests?status=FINISHED')).json.total).toBe(0);
    expect((await s.call('GET', '/requests?type=DELETE&status=RECEIVED')).json.items.map((r: any) => r.type)).toEqual(['DELETE']);
    const bad = await s.call('GET', '/requests?status=DONE');
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('status');
  });
});
