// The portal's sessions over real HTTP: the local API-key sign-in, the cookie's attributes, CSRF
// on every mutation through the cookie, the same authorization as API keys, sign-out, timeouts,
// and the pages' security headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../api/helpers.js';
import { PortalClient, seedShop } from './helpers.js';

describe('portal sessions', () => {
  let s: TestApi;
  beforeAll(async () => {
    s = await startTestApi({ env: { SEGMENTLOOM_PORTAL_SESSION_SECRET: 'a-test-session-secret-of-32-chars-or-more' } });
    await seedShop(s.t.db);
  });
  afterAll(async () => s?.close());

  it('serves the UI under a CSP that allows no inline script, with helmet headers', async () => {
    const res = await fetch(`${s.url}/portal/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const script = html.match(/<script type="module" src="(\/portal\/assets\/app\.[0-9a-f]{12}\.js)"><\/script>/)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/<script>(?!<)/);
    // Assets are named after their content and kept by the browser; the page itself is not.
    const js = await fetch(`${s.url}${script}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${s.url}/portal/assets/app.js`)).status).toBe(404);
  });

  it('exchanges an API key for an HttpOnly SameSite session and reads the API through it', async () => {
    const c = new PortalClient(s.url);
    const signed = await c.signInWithKey(s.owner);
    expect(signed.status).toBe(200);
    expect(signed.json.principal.role).toBe('owner');
    const cookie = signed.setCookie.find((x) => x.startsWith('sl_portal='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(signed.text).not.toContain(s.owner);
    const inbox = await c.call('GET', '/inventory/inbox?sort=newest&limit=2');
    expect(inbox.status).toBe(200);
    expect(inbox.json.items.map((p: any) => p.path)).toEqual(['properties.colour', 'properties.sku_code']);
  });

  it('refuses a mutation through the cookie without the CSRF token, and accepts it with it', async () => {
    const c = new PortalClient(s.url);
    await c.signInWithKey(s.owner);
    const key = { source: 'web', event: 'Order Completed', path: 'properties.email' };
    const without = await c.call('PUT', '/inventory/classification', { ...key, classification: 'red' }, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.json.error).toMatchObject({ code: 'csrf', field: 'x-csrf-token' });
    const forged = await c.call('PUT', '/inventory/classification', { ...key, classification: 'red' }, { headers: { 'x-csrf-token': 'forged' }, csrf: false });
    expect(forged.status).toBe(403);
    const ok = await c.call('PUT', '/inventory/classification', { ...key, classification: 'red' });
    expect(ok.status).toBe(200);
    expect(ok.json.reviewedClassification).toBe('red');
    const audit = await s.call('GET', '/audit?action=inventory.classify');
    expect(audit.json.items.at(-1).actor.keyId).toBe((await s.keys.list()).find((k) => k.name === 'bootstrap')!.id);
  });

  it('a sign-in itself needs the CSRF token (no login CSRF)', async () => {
    const c = new PortalClient(s.url);
    await c.start();
    const r = await c.call('POST', '/portal/auth/key', { apiKey: s.owner }, { csrf: false });
    expect(r.status).toBe(403);
  });

  it("authorizes a session like its key: a viewer's session is refused an editor action", async () => {
    const viewer = await s.key('viewer');
    const c = new PortalClient(s.url);
    expect((await c.signInWithKey(viewer.token)).json.principal.role).toBe('viewer');
    expect((await c.call('GET', '/inventory/counts')).status).toBe(200);
    const r = await c.call('POST', '/inventory/accept', { source: 'web', event: 'Signed Up', path: 'traits.phone' });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/needs role owner or editor/);
    expect((await c.call('GET', '/keys')).status).toBe(403);
  });

  it('a wrong key is refused; a revoked key ends its sessions', async () => {
    const bad = new PortalClient(s.url);
    expect((await bad.signInWithKey('sl_0000000000000000_nope')).status).toBe(401);
    const editor = await s.key('editor');
    const c = new PortalClient(s.url);
    await c.signInWithKey(editor.token);
    expect((await c.call('GET', '/inventory/counts')).status).toBe(200);
    expect((await s.call('DELETE', `/keys/${editor.id}`)).status).toBe(200);
    expect((await c.call('GET', '/inventory/counts')).status).toBe(401);
  });

  it('sign-out ends the session on the server (the old cookie opens nothing)', async () => {
    const c = new PortalClient(s.url);
    await c.signInWithKey(s.owner);
    const stolen = new PortalClient(s.url);
    Object.assign(stolen, { cookie: (c as any).cookie });
    expect((await stolen.call('GET', '/inventory/counts')).status).toBe(200);
    expect((await c.call('POST', '/portal/auth/signout')).status).toBe(204);
    expect((await stolen.call('GET', '/inventory/counts')).status).toBe(401);
  });
});

describe('portal session timeouts', () => {
  // Driven by the server's clock (ctx.now), not by sleeping: a test that waits a few hundred real
  // milliseconds for an idle timeout also times out a slow first request on a loaded machine.
  let clock = Date.UTC(2030, 0, 1);
  let s: TestApi;
  beforeAll(async () => {
    s = await startTestApi({ now: () => new Date(clock), env: { SEGMENTLOOM_PORTAL_IDLE_MINUTES: '30', SEGMENTLOOM_PORTAL_ABSOLUTE_HOURS: '1' } });
  });
  afterAll(() => s?.close());

  it('ends an idle session', async () => {
    const idle = new PortalClient(s.url);
    await idle.signInWithKey(s.owner);
    clock += 20 * 60_000;
    expect((await idle.call('GET', '/inventory/counts')).status).toBe(200);
    clock += 31 * 60_000; // idle 31 minutes since that request, 51 since the sign-in: well inside the hour
    expect((await idle.call('GET', '/inventory/counts')).status).toBe(401);
  });

  it('ends an old one however active', async () => {
    const busy = new PortalClient(s.url);
    await busy.signInWithKey(s.owner);
    const started = clock;
    // Active every 10 minutes (never idle): the absolute limit (1 h) still ends it, and only it.
    const statuses: Array<[minutes: number, status: number]> = [];
    for (let i = 0; i < 8; i++) {
      clock += 10 * 60_000;
      statuses.push([(clock - started) / 60_000, (await busy.call('GET', '/inventory/counts')).status]);
    }
    expect(statuses).toEqual([
      [10, 200],
      [20, 200],
      [30, 200],
      [40, 200],
      [50, 200],
      [60, 200],
      [70, 401],
      [80, 401],
    ]);
  });
});
