import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_CSV_COLUMNS } from '../../src/inventory/csv.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { email, obs } from '../inventory/fixtures.js';
import { startTestApi, type TestApi } from './helpers.js';

describe('inventory review through the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await upsertObservations(api.t.db, [
      email('web', 'properties.email', { destinations: ['warehouse'] }),
      obs({ source: 'web', path: 'context.ip', category: 'ip_address', dataCategory: 'user.device.ip_address', classification: 'yellow' }),
      email('ios', 'traits.email', { example: '=HYPERLINK("x")' }),
      obs({ source: 'server', path: 'properties.total' }),
    ]);
  });
  afterAll(() => api.close());

  const paths = (reply: { json: { items: Array<{ source: string; path: string }> } }) => reply.json.items.map((p) => `${p.source}:${p.path}`);

  it('lists with filters, red first, with totals; examples are the masked ones', async () => {
    const all = await api.call('GET', '/inventory');
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ limit: 1000, offset: 0, totals: { total: 4, red: 2, yellow: 1, green: 1 } });
    expect(paths(all)).toEqual(['ios:traits.email', 'web:properties.email', 'web:context.ip', 'server:properties.total']);
    expect((await api.call('GET', '/inventory?limit=1')).json.totals).toEqual({ total: 4, red: 2, yellow: 1, green: 1 });
    expect(all.json.items.find((p: { path: string }) => p.path === 'properties.email')).toMatchObject({
      example: 'j***@example.com',
      destinations: ['warehouse'],
      status: 'inbox',
    });
    expect(paths(await api.call('GET', '/inventory?source=web'))).toEqual(['web:properties.email', 'web:context.ip']);
    expect(paths(await api.call('GET', '/inventory?classification=yellow'))).toEqual(['web:context.ip']);
    expect(paths(await api.call('GET', '/inventory?category=user.contact'))).toEqual(['ios:traits.email', 'web:properties.email']);
    expect(paths(await api.call('GET', '/inventory?event=Order%20Completed&limit=1&offset=1'))).toEqual(['web:properties.email']);
    expect(paths(await api.call('GET', '/inventory/inbox?source=web&event=Order%20Completed&path=context.ip'))).toEqual(['web:context.ip']);
  });

  it('classifies and accepts points; the inbox shrinks', async () => {
    const point = { source: 'server', event: 'Order Completed', path: 'properties.total' };
    const classified = await api.call('PUT', '/inventory/classification', { body: { ...point, classification: 'yellow' } });
    expect(classified.status).toBe(200);
    expect(classified.json).toMatchObject({ classification: 'green', reviewedClassification: 'yellow', effectiveClassification: 'yellow', status: 'inbox' });
    const accepted = await api.call('POST', '/inventory/accept', { body: point });
    expect(accepted.json).toMatchObject({ status: 'inventory', reviewedClassification: 'yellow' });
    expect(paths(await api.call('GET', '/inventory?status=inventory'))).toEqual(['server:properties.total']);
    expect(paths(await api.call('GET', '/inventory/inbox'))).not.toContain('server:properties.total');

    const viewer = await api.key('viewer');
    expect((await api.call('POST', '/inventory/accept', { token: viewer.token, body: point })).status).toBe(403);
    expect((await api.call('GET', '/inventory/inbox', { token: viewer.token })).status).toBe(200);
    const missing = await api.call('PUT', '/inventory/classification', { body: { ...point, path: 'nope', classification: 'red' } });
    expect(missing.status).toBe(404);
  });

  it('exports CSV with the documented columns and formula cells guarded', async () => {
    const csv = await api.call('GET', '/inventory/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('inventory.csv');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(INVENTORY_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(5);
    expect(csv.text).toContain(`"'=HYPERLINK(""x"")"`);
    const filtered = await api.call('GET', '/inventory/export.csv?source=ios');
    expect(filtered.text.trimEnd().split('\r\n')).toHaveLength(2);
  });

  it('serves metrics to any role, with request counts by route pattern only', async () => {
    const viewer = await api.key('viewer');
    const metrics = await api.call('GET', '/metrics', { token: viewer.token });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/segmentloom_api_requests_total\{method="GET",route="\/inventory",status="200"\} \d+/);
    expect(metrics.text).not.toContain('source=web');
    const health = await api.call('GET', '/healthz', { token: null });
    expect(health.json).toEqual({ status: 'ok' });
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('bulk review through the API: a dry count first, then one transaction', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await upsertObservations(api.t.db, [
      email('web', 'properties.email'),
      obs({ source: 'web', path: 'properties.plan' }),
      obs({ source: 'web', path: 'properties.total' }),
      obs({ source: 'ios', path: 'properties.total' }),
    ]);
  });
  afterAll(() => api.close());

  it('accepts every green point of a source: counted first, applied on dryRun false, audited per point', async () => {
    const body = { filters: { source: 'web', classification: 'green' } };
    const dry = await api.call('POST', '/inventory/accept/bulk', { body });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.json).toEqual({ dryRun: true, matched: 2, changed: 2, missing: [], totals: { total: 2, red: 0, yellow: 0, green: 2 } });
    expect((await api.call('GET', '/inventory/inbox?source=web')).json.totals.total).toBe(3);

    const applied = await api.call('POST', '/inventory/accept/bulk', { body: { ...body, dryRun: false } });
    expect(applied.json).toMatchObject({ dryRun: false, matched: 2, changed: 2 });
    expect((await api.call('GET', '/inventory/inbox?source=web')).json.items.map((p: { path: string }) => p.path)).toEqual(['properties.email']);
    const again = await api.call('POST', '/inventory/accept/bulk', { body: { ...body, dryRun: false } });
    expect(again.json).toMatchObject({ matched: 2, changed: 0 });
    const audit = await api.call('GET', '/audit?action=inventory.accept');
    expect(audit.status, audit.text).toBe(200);
    expect(JSON.stringify(audit.json)).toContain('properties.plan');
  });

  it('classifies a list of points; unknown ones are reported', async () => {
    const points = [
      { source: 'ios', event: 'Order Completed', path: 'properties.total' },
      { source: 'ios', event: 'Order Completed', path: 'properties.nope' },
    ];
    const applied = await api.call('POST', '/inventory/classification/bulk', { body: { points, classification: 'yellow', dryRun: false } });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json).toMatchObject({ matched: 1, changed: 1, missing: [points[1]] });
    expect((await api.call('GET', '/inventory?source=ios')).json.items[0]).toMatchObject({ reviewedClassification: 'yellow' });
  });

  it('refuses an empty or ambiguous selection, and viewers', async () => {
    for (const body of [{ classification: 'red' }, { filters: {}, classification: 'red' }, { all: true, filters: { source: 'web' }, classification: 'red' }]) {
      const reply = await api.call('POST', '/inventory/classification/bulk', { body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.text).toContain('exactly one of');
    }
    const viewer = await api.key('viewer');
    expect((await api.call('POST', '/inventory/accept/bulk', { token: viewer.token, body: { all: true } })).status).toBe(403);
  });
});

describe('inventory path filter', () => {
  let api: TestApi;
  const sources = ['s1', 's2', 's3', 's4', 's5'];
  beforeAll(async () => {
    api = await startTestApi();
    await upsertObservations(api.t.db, [
      ...sources.map((source) => obs({ source, path: 'properties.user_id' })),
      // Decoys a LIKE pattern would match: '_', '%' and '\' must be literal characters.
      ...sources.slice(0, 3).map((source) => obs({ source, path: 'properties.userXid' })),
      obs({ source: 's1', path: 'properties.100%' }),
      obs({ source: 's1', path: 'properties.1000' }),
      obs({ source: 's2', path: 'properties.a\\b' }),
      obs({ source: 's2', path: 'properties.ab' }),
    ]);
  });
  afterAll(() => api.close());

  const get = async (query: string) => {
    const reply = await api.call('GET', `/inventory${query}`);
    expect(reply.status, reply.text).toBe(200);
    return reply.json as { items: Array<{ source: string; path: string }>; limit: number; offset: number };
  };
  const keys = (page: { items: Array<{ source: string; path: string }> }) => page.items.map((p) => `${p.source}:${p.path}`);

  it('pages the matches: limit and offset apply after the filter', async () => {
    const path = encodeURIComponent('properties.user_id');
    expect(keys(await get(`?path=${path}`))).toEqual(sources.map((s) => `${s}:properties.user_id`));
    expect(await get(`?path=${path}&limit=2`)).toMatchObject({ limit: 2, offset: 0 });
    expect(keys(await get(`?path=${path}&limit=2`))).toEqual(['s1:properties.user_id', 's2:properties.user_id']);
    expect(keys(await get(`?path=${path}&limit=2&offset=2`))).toEqual(['s3:properties.user_id', 's4:properties.user_id']);
    expect(keys(await get(`?path=${path}&limit=2&offset=4`))).toEqual(['s5:properties.user_id']);
    expect(keys(await get(`?path=${path}&limit=2&offset=6`))).toEqual([]);
    expect(keys(await get(`/inbox?path=${path}&limit=1&offset=3`))).toEqual(['s4:properties.user_id']);
    expect(keys(await get(`?path=${path}&source=s3`))).toEqual(['s3:properties.user_id']);
  });

  it('treats %, _ and \\ as literal characters', async () => {
    expect(keys(await get(`?path=${encodeURIComponent('properties.100%')}`))).toEqual(['s1:properties.100%']);
    expect(keys(await get(`?path=${encodeURIComponent('properties.a\\b')}`))).toEqual(['s2:properties.a\\b']);
    expect(keys(await get(`?path=${encodeURIComponent('properties.user_id')}&limit=10`))).not.toContain('s1:properties.userXid');
    expect(keys(await get(`?path=${encodeURIComponent('properties.%')}`))).toEqual([]);
  });

  it('filters the CSV export by path in the same way', async () => {
    const csv = await api.call('GET', `/inventory/export.csv?path=${encodeURIComponent('properties.user_id')}`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + sources.length);
    expect(lines.slice(1).every((line) => line.includes('properties.user_id'))).toBe(true);
  });
});
