import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCert } from '../../scripts/test-certs.js';
import { ROUTE_SPECS } from '../../src/api/routes/index.js';
import { startTestApi, tempDir, type TestApi } from './helpers.js';

const BAD_SECRET = 'A'.repeat(43);

describe('failed authentication is throttled', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ authThrottle: { maxFailuresPerAddress: 8, maxFailuresPerKey: 3, windowMs: 60_000 } });
  });
  afterAll(() => api.close());

  const metric = async (scope: string) => {
    const text = await api.api.ctx.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`segmentloom_api_auth_throttled_total{scope="${scope}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('answers 429 with Retry-After for a key id after its failures, even with the right secret, before any lookup', async () => {
    const victim = await api.key('viewer');
    const other = await api.key('viewer');
    const guesses = [];
    for (let i = 0; i < 3; i++) guesses.push((await api.call('GET', '/inventory', { token: `sl_${victim.id}_${BAD_SECRET}` })).status);
    expect(guesses).toEqual([401, 401, 401]);
    const next = await api.call('GET', '/inventory', { token: `sl_${victim.id}_${BAD_SECRET}` });
    expect(next.status).toBe(429);
    expect(next.json.error.code).toBe('too_many_requests');
    expect(next.json.error.message).toContain('key id');
    const retryAfter = Number(next.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await api.call('GET', '/inventory', { token: victim.token })).status).toBe(429);
    // Another key from the same address is not held back by the victim's throttle.
    expect((await api.call('GET', '/inventory', { token: other.token })).status).toBe(200);
    expect(await metric('key')).toBe(1);
    const audit = await api.t.db.query<{ action: string; target_type: string; target_id: string; after: { failures: number } }>(
      "SELECT action, target_type, target_id, after FROM audit_log WHERE action = 'auth.throttled'",
    );
    expect(audit).toEqual([expect.objectContaining({ target_type: 'api_key', target_id: victim.id, after: expect.objectContaining({ failures: 3 }) })]);
  });

  it('answers 429 for every request from an address past its failures, and audits the trip once', async () => {
    // 3 failures so far from 127.0.0.1 (above); 5 more trip the address limit of 8.
    // A new key id each time (a guesser spreading over ids): only the address limit can stop it.
    for (let i = 0; i < 5; i++) expect((await api.call('GET', '/inventory', { token: `sl_${String(i).repeat(16)}_${BAD_SECRET}` })).status).toBe(401);
    for (let i = 0; i < 20; i++) {
      const reply = await api.call('GET', '/inventory', { token: `sl_${'f'.repeat(15)}${i.toString(16).slice(-1)}_${BAD_SECRET}` });
      expect(reply.status).toBe(429);
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await api.call('GET', '/inventory')).status).toBe(429);
    expect(await metric('address')).toBe(1);
    const trips = await api.t.db.query<{ target_type: string; target_id: string }>(
      "SELECT target_type, target_id FROM audit_log WHERE action = 'auth.throttled' ORDER BY id",
    );
    expect(trips.map((t) => t.target_type)).toEqual(['api_key', 'client_address']);
    expect(trips[1]!.target_id).toBe('127.0.0.1');
  });
});

describe('verified keys are cached briefly', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ now: () => new Date(clock), keyCacheMs: 5_000 });
  });
  afterAll(() => api.close());

  it('trusts a verified key without the database for the cache time only', async () => {
    const k = await api.key('viewer');
    expect((await api.call('GET', '/inventory', { token: k.token })).status).toBe(200);
    // Revoked behind the API's back (another process, plain SQL): the cached verification holds...
    await api.t.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [k.id]);
    expect((await api.call('GET', '/inventory', { token: k.token })).status).toBe(200);
    // ...for no longer than the cache time.
    clock += 5_001;
    expect((await api.call('GET', '/inventory', { token: k.token })).status).toBe(401);
  });

  it('forgets a key at once when it is revoked or rotated through the API', async () => {
    const revoked = await api.key('viewer');
    expect((await api.call('GET', '/inventory', { token: revoked.token })).status).toBe(200);
    expect((await api.call('DELETE', `/keys/${revoked.id}`)).status).toBe(200);
    expect((await api.call('GET', '/inventory', { token: revoked.token })).status).toBe(401);

    const rotated = await api.key('viewer');
    expect((await api.call('GET', '/inventory', { token: rotated.token })).status).toBe(200);
    expect((await api.call('POST', `/keys/${rotated.id}/rotate`, { body: { overlapSeconds: 0 } })).status).toBe(200);
    expect((await api.call('GET', '/inventory', { token: rotated.token })).status).toBe(401);
  });

  it('does not cache past the end of a rotation overlap', async () => {
    const k = await api.key('viewer');
    expect((await api.call('POST', `/keys/${k.id}/rotate`, { body: { overlapSeconds: 2 } })).status).toBe(200);
    expect((await api.call('GET', '/inventory', { token: k.token })).status).toBe(200);
    clock += 2_001;
    expect((await api.call('GET', '/inventory', { token: k.token })).status).toBe(401);
  });
});

describe('security headers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await api.storage.events.storeEvents([{ type: 'identify', userId: 'user-1', messageId: 'm-1', traits: { email: 'one@example.com' } }]);
  });
  afterAll(() => api.close());

  const expectHeaders = (headers: Headers, what: string) => {
    expect(headers.get('cache-control'), what).toBe('no-store');
    expect(headers.get('x-content-type-options'), what).toBe('nosniff');
    expect(headers.get('referrer-policy'), what).toBe('no-referrer');
    expect(headers.get('content-security-policy'), what).toContain("default-src 'none'");
    expect(headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
    // Plain HTTP here: HSTS only under TLS (test/api/tls.test.ts).
    expect(headers.get('strict-transport-security'), what).toBeNull();
  };

  it('are on every route, whatever the status', async () => {
    for (const spec of ROUTE_SPECS) {
      const path = spec.url.replace(/:\w+/g, 'x');
      for (const token of [undefined, null]) {
        const reply = await api.call(spec.method, path, { token });
        expectHeaders(reply.headers, `${spec.method} ${spec.url} (${reply.status})`);
      }
    }
    expectHeaders((await api.call('GET', '/no/such/route')).headers, '404');
  });

  it('are on the responses that carry personal data', async () => {
    const exported = await api.call('GET', '/subjects/export?userId=user-1');
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('one@example.com');
    expectHeaders(exported.headers, 'export');
    for (const path of ['/inventory', '/inventory/export.csv', '/requests', '/audit', '/audit/export']) {
      const reply = await api.call('GET', path);
      expectHeaders(reply.headers, `${path} (${reply.status})`);
    }
  });
});

describe('security headers under TLS', () => {
  let api: TestApi;
  let cert: Buffer;
  beforeAll(async () => {
    // SAN IP:127.0.0.1 only: the client below connects by address.
    const tls = createSelfSignedCert(tempDir('sl-tls-'), { name: 'localhost', dns: [] });
    cert = readFileSync(tls.certFile);
    api = await startTestApi({ tls: { cert, key: readFileSync(tls.keyFile) } });
  });
  afterAll(() => api.close());

  it('include HSTS, with the others', async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: api.api.port, path: '/inventory', ca: cert, headers: { authorization: `Bearer ${api.owner}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      });
      req.on('error', reject);
      req.end();
    });
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('prototype-polluting bodies', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it.each([
    ['a __proto__ key', '{"name":"x","role":"viewer","__proto__":{"role":"owner"}}'],
    ['a nested constructor.prototype', '{"name":"x","role":"viewer","scopes":[],"extra":{"constructor":{"prototype":{"polluted":true}}}}'],
  ])('are refused naming why (%s), not as invalid JSON', async (_what, body) => {
    const reply = await api.call('POST', '/keys', { body, contentType: 'application/json' });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'forbidden_key', field: 'body' });
    expect(reply.json.error.message).toContain('__proto__');
    expect(reply.json.error.message).toContain('pollute object prototypes');
    expect(reply.json.error.message).not.toContain('not valid JSON');
  });

  it('still calls broken JSON not valid JSON', async () => {
    const reply = await api.call('POST', '/keys', { body: '{"name":', contentType: 'application/json' });
    expect(reply.json.error).toMatchObject({ code: 'invalid_json', message: 'body: not valid JSON' });
  });
});
