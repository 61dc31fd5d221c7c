import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestDeadlines, requestDeadlinesFromEnv } from '../../src/storage/deadlines.js';
import type { Storage } from '../../src/storage/storage.js';
import { ENGINES, openTestDb, storageOn, type TestDb } from './helpers.js';

describe('legal deadlines per regulation', () => {
  const d = new RequestDeadlines();
  it('GDPR is one calendar month (clamped to the month end), CCPA and CPA 45 days', () => {
    expect(d.deadline('GDPR', new Date('2026-01-31T10:00:00Z')).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(d.deadline('GDPR', new Date('2026-03-15T10:00:00Z')).toISOString()).toBe('2026-04-15T10:00:00.000Z');
    expect(d.deadline('CCPA', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-02-15T00:00:00.000Z');
    expect(d.deadline('CPA', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-02-15T00:00:00.000Z');
    expect(d.defaultRegulation).toBe('GDPR');
    expect(() => d.deadline('HIPAA', new Date())).toThrow(/unknown regulation: expected one of GDPR, CCPA, CPA/);
  });

  it('is configured from SEGMENTLOOM_REQUEST_DEADLINES, with errors naming the field', () => {
    const custom = requestDeadlinesFromEnv({ SEGMENTLOOM_REQUEST_DEADLINES: '{"default":"LGPD","regulations":{"LGPD":"15d","GDPR":"1mo"}}' });
    expect(custom.regulations).toEqual(['LGPD', 'GDPR']);
    expect(custom.deadline('LGPD', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-16T00:00:00.000Z');
    expect(() => requestDeadlinesFromEnv({ SEGMENTLOOM_REQUEST_DEADLINES: '{"regulations":{"GDPR":"one month"}}' })).toThrow(
      /SEGMENTLOOM_REQUEST_DEADLINES: invalid request deadlines at "regulations.GDPR": expected a period/,
    );
    expect(() => requestDeadlinesFromEnv({ SEGMENTLOOM_REQUEST_DEADLINES: '{"default":"X","regulations":{"GDPR":"1mo"}}' })).toThrow(
      /"default": the default regulation/,
    );
    expect(() => requestDeadlinesFromEnv({ SEGMENTLOOM_REQUEST_DEADLINES: '{' })).toThrow(/not JSON/);
  });
});

describe.each(ENGINES)('request deadlines in the store (%s)', (engine) => {
  let t: TestDb;
  let s: Storage;
  beforeAll(async () => {
    t = await openTestDb(engine, 'deadlines');
    s = await storageOn(t.db);
  });
  afterAll(() => t.close());

  it('records the regulation and deadline on each request and in its receipt', async () => {
    const gdpr = await s.requests.create('SUPPRESS', { userId: 'dl-1' });
    expect(gdpr.regulation).toBe('GDPR');
    expect(gdpr.deadlineAt).toBe(s.requests.deadlines.deadline('GDPR', new Date(gdpr.receivedAt)).toISOString());
    const ccpa = await s.requests.submit('DELETE', { userId: 'dl-2' }, { regulation: 'CCPA' });
    expect(Date.parse(ccpa.deadlineAt!) - Date.parse(ccpa.receivedAt)).toBe(45 * 86_400_000);
    expect(ccpa.receipt).toMatchObject({ regulation: 'CCPA', deadline: ccpa.deadlineAt });
    await expect(s.requests.create('DELETE', { userId: 'dl-3' }, { regulation: 'nope' })).rejects.toThrow(/unknown regulation/);
  });

  it('lists unfinished requests due within a period, overdue first, and counts them per regulation', async () => {
    const soon = await s.requests.create('DELETE', { userId: 'dl-soon' }, { regulation: 'CPA' });
    const late = await s.requests.create('DELETE', { userId: 'dl-late' }, { regulation: 'CCPA' });
    const finished = await s.requests.submit('DELETE', { userId: 'dl-done' }, { regulation: 'CPA' });
    // As if received long ago: one overdue, one due in 3 days; the finished one is never at risk.
    await t.db.query(`UPDATE subject_requests SET deadline_at = now() - interval '2 days' WHERE id = $1`, [late.id]);
    await t.db.query(`UPDATE subject_requests SET deadline_at = now() + interval '3 days' WHERE id = ANY($1::uuid[])`, [[soon.id, finished.id]]);
    const atRisk = await s.requests.atRisk(7 * 86_400_000);
    expect(atRisk.map((r) => r.id)).toEqual([late.id, soon.id]);
    expect(await s.requests.atRisk(86_400_000)).toHaveLength(1);
    expect(await s.requests.riskCounts(7 * 86_400_000)).toEqual([
      { regulation: 'CCPA', atRisk: 0, overdue: 1 },
      { regulation: 'CPA', atRisk: 1, overdue: 0 },
    ]);
  });
});
