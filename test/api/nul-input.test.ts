import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

// PostgreSQL text cannot hold U+0000: an input carrying one used to reach a query and come back as
// a 500 (SQLSTATE 22021). It is the client's error: a 400 naming the field, on every route.
const NUL = '\u0000';
const q = encodeURIComponent(`a${NUL}b`);
const CASES: Array<{ name: string; method: string; path: string; body?: unknown; contentType?: string; field: string }> = [
  { name: 'key name', method: 'POST', path: '/keys', body: { name: `k${NUL}`, role: 'viewer' }, field: 'name' },
  { name: 'inventory source filter', method: 'GET', path: `/inventory?source=${q}`, field: 'source' },
  { name: 'inventory inbox filter', method: 'GET', path: `/inventory/inbox?source=${q}`, field: 'source' },
  { name: 'CSV export filter', method: 'GET', path: `/inventory/export.csv?source=${q}`, field: 'source' },
  { name: 'audit action filter', method: 'GET', path: `/audit?action=${q}`, field: 'action' },
  {
    name: 'classification of a point',
    method: 'PUT',
    path: '/inventory/classification',
    body: { source: 's', event: `E${NUL}`, path: 'properties.x', classification: 'red' },
    field: 'event',
  },
  { name: 'subject request', method: 'POST', path: '/requests', body: { type: 'DELETE', userId: `u${NUL}` }, field: 'userId' },
  {
    name: 'policy document',
    method: 'PUT',
    path: '/policies',
    body: `destinations: []\npolicies: []\n# ${NUL}\n`,
    contentType: 'application/yaml',
    field: 'body',
  },
];

describe('NUL characters in API input', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ engine: 'postgres' });
  });
  afterAll(() => api.close());

  it.each(CASES)('$method $path ($name) → 400 naming $field', async (c) => {
    const reply = await api.call(c.method, c.path, { body: c.body, contentType: c.contentType });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'invalid_text', field: c.field });
  });

  it('keeps the API working afterwards', async () => {
    const reply = await api.call('GET', '/inventory?source=s');
    expect(reply.status).toBe(200);
  });
});
