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

  it('lists with filters; examples are the masked ones', async () => {
    const all = await api.call('GET', '/inventory');
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ limit: 1000, offset: 0 });
    expect(paths(all)).toEqual(['ios:traits.email', 'server:properties.total', 'web:context.ip', 'web:properties.email']);
    expect(all.json.items.find((p: { path: string }) => p.path === 'properties.email')).toMatchObject({ example: 'j***@example.com', destinations: ['warehouse'], status: 'inbox' });
    expect(paths(await api.call('GET', '/inventory?source=web'))).toEqual(['web:context.ip', 'web:properties.email']);
    expect(paths(await api.call('GET', '/inventory?classification=yellow'))).toEqual(['web:context.ip']);
    expect(paths(await api.call('GET', '/inventory?category=user.contact'))).toEqual(['ios:traits.email', 'web:properties.email']);
    expect(paths(await api.call('GET', '/inventory?event=Order%20Completed&limit=1&offset=1'))).toEqual(['server:properties.total']);
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
