// Review routes beside classify/accept: a rejection is an exception that sticks for the evidence it
// answered and gives way to riskier evidence; bulk accept is all or nothing; counts and the data map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertObservations } from '../../src/inventory/store.js';
import { seedShop, shopObservations } from '../portal/helpers.js';
import { startTestApi, type TestApi } from './helpers.js';

const sku = { source: 'app', event: 'Product Viewed', path: 'properties.sku_code' };

describe('review routes', () => {
  let s: TestApi;
  beforeAll(async () => {
    s = await startTestApi();
    await seedShop(s.t.db);
  });
  afterAll(async () => s?.close());

  it('a rejection sticks through new events of the same evidence, and riskier evidence sends it back', async () => {
    const r = await s.call('POST', '/inventory/reject', { body: { ...sku, reason: 'product code' } });
    expect(r.status).toBe(200);
    expect(r.json.point).toMatchObject({ status: 'inventory', reviewedClassification: 'green' });
    expect(r.json.exception).toMatchObject({ reason: 'product code', category: 'phone_number', recommended: 'yellow', actorRole: 'owner' });
    await seedShop(s.t.db, 30);
    const after = await s.call('GET', `/inventory/point?source=app&event=Product%20Viewed&path=properties.sku_code`);
    expect(after.json.point).toMatchObject({ status: 'inventory', effectiveClassification: 'green', count: 6 });
    expect(after.json.exception.reason).toBe('product code');
    expect((await s.call('GET', '/inventory/exceptions')).json.items).toHaveLength(1);
    const audit = await s.call('GET', '/audit?action=inventory.reject');
    expect(JSON.stringify(audit.json.items)).not.toContain('product code');

    const riskier = shopObservations(40).find((o) => o.path === 'properties.sku_code')!;
    await upsertObservations(s.t.db, [{ ...riskier, category: 'us_ssn', dataCategory: 'user.government_id', classification: 'red' }]);
    const back = await s.call('GET', '/inventory/point?source=app&event=Product%20Viewed&path=properties.sku_code');
    expect(back.json.point).toMatchObject({ status: 'inbox', effectiveClassification: 'red', reviewedClassification: null });
  });

  it('accepts a list of points through the one bulk route: a dry count first, then the change', async () => {
    const phone = { source: 'web', event: 'Signed Up', path: 'traits.phone' };
    const dry = await s.call('POST', '/inventory/accept/bulk', { body: { points: [phone, { ...phone, path: 'nope' }] } });
    expect(dry.json).toMatchObject({ dryRun: true, matched: 1, changed: 1, missing: [{ ...phone, path: 'nope' }] });
    expect((await s.call('GET', '/inventory/point?source=web&event=Signed%20Up&path=traits.phone')).json.point.status).toBe('inbox');
    const ok = await s.call('POST', '/inventory/accept/bulk', { body: { points: [phone], classification: 'red', dryRun: false } });
    expect(ok.json).toMatchObject({ dryRun: false, matched: 1, changed: 1 });
    expect((await s.call('GET', '/inventory/point?source=web&event=Signed%20Up&path=traits.phone')).json.point).toMatchObject({
      status: 'inventory',
      reviewedClassification: 'red',
    });
    // The portal's own bulk route is gone: one route does this job.
    expect((await s.call('POST', '/inventory/accept-many', { body: { points: [phone] } })).status).toBe(404);
  });

  it('marks a point reviewed, keeping the classification in force', async () => {
    const ip = { source: 'app', event: 'Login', path: 'context.ip' };
    const r = await s.call('POST', '/inventory/reviewed', { body: ip });
    expect(r.json).toMatchObject({ reviewedClassification: 'yellow', effectiveClassification: 'yellow' });
    expect(r.json.reviewedAt).not.toBeNull();
    const reviewed = await s.call('GET', '/inventory?reviewed=true&destination=analytics');
    expect(reviewed.json.items.map((p: any) => p.path)).toEqual(['context.ip']);
  });

  it('counts the inbox per colour and draws the data map from what destinations received', async () => {
    const counts = await s.call('GET', '/inventory/counts');
    const total = counts.json.items.reduce((n: number, c: any) => n + c.points, 0);
    expect(total).toBe((await s.call('GET', '/inventory/inbox')).json.items.length);
    const map = await s.call('GET', '/inventory/map');
    expect(map.json.links).toContainEqual({ source: 'app', category: 'ip_address', classification: 'yellow', destination: 'analytics', points: 1 });
    expect(map.json.links).toContainEqual({ source: 'web', category: 'password', classification: 'red', destination: null, points: 1 });
  });

  it('try-it names the classifier and never echoes the value', async () => {
    const r = await s.call('POST', '/classifiers/try', { body: { path: 'traits.email', value: 'jane.doe@shop.example' } });
    expect(r.json).toMatchObject({ category: 'email', classification: 'yellow' });
    expect(r.text).not.toContain('jane.doe@shop.example');
  });
});
