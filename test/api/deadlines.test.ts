import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, waitFor, type TestApi } from './helpers.js';

describe('request deadlines over the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('records the regulation given (default GDPR) and rejects one not configured', async () => {
    const ccpa = await api.call('POST', '/requests', { body: { type: 'SUPPRESS', userId: 'dl-api-1', regulation: 'CCPA' } });
    expect(ccpa.status).toBe(202);
    expect(Date.parse(ccpa.json.deadlineAt) - Date.parse(ccpa.json.receivedAt)).toBe(45 * 86_400_000);
    await waitFor(async () => (await api.call('GET', `/requests/${ccpa.json.id}`)).json.status === 'FINISHED');
    expect((await api.call('GET', `/requests/${ccpa.json.id}/receipt`)).json).toMatchObject({ regulation: 'CCPA', deadline: ccpa.json.deadlineAt });
    const bad = await api.call('POST', '/requests', { body: { type: 'SUPPRESS', userId: 'dl-api-2', regulation: 'HIPAA' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^regulation: expected one of GDPR, CCPA, CPA/);
  });

  it('lists requests at risk and exposes them as metrics per regulation', async () => {
    const stuck = await api.storage.requests.create('DELETE', { userId: 'dl-api-3' }, { regulation: 'CPA' });
    const overdue = await api.storage.requests.create('DELETE', { userId: 'dl-api-4' });
    await api.storage.db.query(`UPDATE subject_requests SET deadline_at = now() + interval '2 days' WHERE id = $1`, [stuck.id]);
    await api.storage.db.query(`UPDATE subject_requests SET deadline_at = now() - interval '1 day' WHERE id = $1`, [overdue.id]);
    const reply = await api.call('GET', '/requests/at-risk?within=7d');
    expect(reply.status).toBe(200);
    expect(reply.json.overdue).toBe(1);
    expect(reply.json.requests.map((r: { id: string }) => r.id)).toEqual([overdue.id, stuck.id]);
    expect((await api.call('GET', '/requests/at-risk?within=1h')).json.requests).toHaveLength(1);
    expect((await api.call('GET', '/requests/at-risk?within=soon')).status).toBe(400);
    const metrics = (await api.call('GET', '/metrics')).text;
    expect(metrics).toContain('segmentloom_requests_at_risk{regulation="CPA"} 1');
    expect(metrics).toContain('segmentloom_requests_overdue{regulation="GDPR"} 1');
    expect(metrics).toContain('segmentloom_requests_overdue{regulation="CCPA"} 0');
  });
});
