import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlertsConfig } from '../../src/alerts/config.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { email } from '../inventory/fixtures.js';
import { CLASSIFIER_YAML, startTestApi, type TestApi } from './helpers.js';

const POINT = { source: 'web', event: 'Order Completed', path: 'properties.email' };
const SUBJECT_EMAIL = 'jane.doe@example.com';

interface Mutation {
  name: string;
  call: (api: TestApi, ctx: { keyId: string }) => Promise<{ status: number; json: any }>;
  status: number;
  action: string;
  targetType: string;
  targetId: (api: TestApi, reply: any, ctx: { keyId: string }) => string;
  before: unknown;
  after: unknown;
}

/** Every mutating endpoint, with the audit entry it must leave (toMatchObject shapes). */
const MUTATIONS: Mutation[] = [
  {
    name: 'classify a data point',
    call: (api) => api.call('PUT', '/inventory/classification', { body: { ...POINT, classification: 'yellow' } }),
    status: 200,
    action: 'inventory.classify',
    targetType: 'data_point',
    targetId: () => JSON.stringify([POINT.source, POINT.event, POINT.path]),
    before: { classification: 'red', reviewedClassification: null, effectiveClassification: 'red', status: 'inbox' },
    after: { reviewedClassification: 'yellow', effectiveClassification: 'yellow', status: 'inbox' },
  },
  {
    name: 'accept a data point',
    call: (api) => api.call('POST', '/inventory/accept', { body: { ...POINT, classification: 'red' } }),
    status: 200,
    action: 'inventory.accept',
    targetType: 'data_point',
    targetId: () => JSON.stringify([POINT.source, POINT.event, POINT.path]),
    before: { reviewedClassification: 'yellow', status: 'inbox' },
    after: { reviewedClassification: 'red', effectiveClassification: 'red', status: 'inventory' },
  },
  {
    name: 'write a classifier',
    call: (api) => api.call('PUT', '/classifiers/loyalty_number', { body: CLASSIFIER_YAML }),
    status: 200,
    action: 'classifiers.put',
    targetType: 'classifier',
    targetId: () => 'loyalty_number',
    before: null,
    after: { version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), file: 'loyalty_number.yaml' },
  },
  {
    name: 'replace the policies',
    call: (api) => api.call('PUT', '/policies', { body: 'destinations:\n  - { name: warehouse, topic: w }\n' }),
    status: 200,
    action: 'policies.put',
    targetType: 'policy',
    targetId: () => 'policy',
    before: { version: null, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    after: { version: 1, policies: [], destinations: ['warehouse'] },
  },
  {
    name: 'create a deletion request by email',
    call: (api) => api.call('POST', '/requests', { body: { type: 'SUPPRESS_WITH_DELETE', email: SUBJECT_EMAIL } }),
    status: 202,
    action: 'requests.create',
    targetType: 'subject_request',
    targetId: (_api, reply) => reply.id,
    before: null,
    after: { type: 'SUPPRESS_WITH_DELETE', idKind: 'email', lookupHash: expect.stringMatching(/^[0-9a-f]{64}$/), status: 'RECEIVED' },
  },
  {
    name: 'export a subject',
    call: (api) => api.call('GET', `/subjects/export?userId=user-1`),
    status: 200,
    action: 'subjects.export',
    targetType: 'subject',
    targetId: (api) => api.storage.hasher.subjectHash('user-1'),
    before: null,
    after: { idKind: 'userId', subjects: 1, events: 0 },
  },
  {
    name: 'send a test alert',
    call: (api) => api.call('POST', '/alerts/channels/hook/test'),
    status: 200,
    action: 'alerts.test',
    targetType: 'alert_channel',
    targetId: () => 'hook',
    before: null,
    after: { type: 'webhook', delivered: true, alertId: expect.any(String) },
  },
  {
    name: 'create a key',
    call: (api) => api.call('POST', '/keys', { body: { name: 'audited', role: 'viewer', scopes: [] } }),
    status: 201,
    action: 'keys.create',
    targetType: 'api_key',
    targetId: (_api, reply, ctx) => ((ctx.keyId = reply.key.id), reply.key.id),
    before: null,
    after: { name: 'audited', role: 'viewer', scopes: [], revokedAt: null, liveSecrets: 1 },
  },
  {
    name: 'rotate a key',
    call: (api, ctx) => api.call('POST', `/keys/${ctx.keyId}/rotate`, { body: { overlapSeconds: 30 } }),
    status: 200,
    action: 'keys.rotate',
    targetType: 'api_key',
    targetId: (_api, _reply, ctx) => ctx.keyId,
    before: { liveSecrets: 1 },
    after: { liveSecrets: 2, overlapSeconds: 30 },
  },
  {
    name: 'revoke a key',
    call: (api, ctx) => api.call('DELETE', `/keys/${ctx.keyId}`),
    status: 200,
    action: 'keys.revoke',
    targetType: 'api_key',
    targetId: (_api, _reply, ctx) => ctx.keyId,
    before: { revokedAt: null, liveSecrets: 2 },
    after: { revokedAt: expect.any(String), liveSecrets: 0 },
  },
];

describe('audit log', () => {
  let api: TestApi;
  let receiver: Receiver;
  let ownerId: string;
  const shared = { keyId: '' };
  beforeAll(async () => {
    receiver = await startReceiver();
    const alertsConfig = parseAlertsConfig(
      { baseUrl: 'https://segmentloom.example', channels: [{ name: 'hook', type: 'webhook', url: receiver.url, secret: 'webhook-secret-0123456789' }] },
      {},
    );
    api = await startTestApi({ alertsConfig });
    ownerId = /^sl_([0-9a-f]{16})_/.exec(api.owner)![1]!;
    await upsertObservations(api.t.db, [email(POINT.source, POINT.path)]);
  });
  afterAll(async () => {
    await api.close();
    await receiver.close();
  });

  it.each(MUTATIONS)('$name leaves an entry: who, when, what, before and after', async (m) => {
    const startedAt = Date.now();
    const reply = await m.call(api, shared);
    expect(reply.status, JSON.stringify(reply.json)).toBe(m.status);
    const targetId = m.targetId(api, reply.json, shared);
    const audit = await api.call('GET', `/audit?action=${m.action}&targetId=${encodeURIComponent(targetId)}`);
    expect(audit.status).toBe(200);
    const entry = audit.json.items.at(-1);
    expect(entry).toMatchObject({
      actor: { keyId: ownerId, role: 'owner' },
      action: m.action,
      target: { type: m.targetType, id: targetId },
      requestId: expect.any(String),
    });
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(startedAt - 5_000);
    if (m.before === null) expect(entry.before).toBeNull();
    else expect(entry.before).toMatchObject(m.before as object);
    expect(entry.after).toMatchObject(m.after as object);
  });

  it('holds no personal data: the email of a request appears only as a hash', async () => {
    const dump = JSON.stringify(await api.t.db.query('SELECT * FROM audit_log'));
    expect(dump).not.toContain(SUBJECT_EMAIL);
    expect(dump).not.toContain('user-1');
    expect(dump).toContain(api.storage.hasher.emailHash(SUBJECT_EMAIL));
  });

  it('rejects UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const before = await api.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    await expect(api.t.db.query("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(api.t.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(api.t.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    expect(await api.t.db.query('SELECT count(*)::int AS n FROM audit_log')).toEqual(before);
  });

  it('pages with a cursor and exports NDJSON', async () => {
    const all = (await api.call('GET', '/audit?limit=1000')).json.items;
    expect(all.length).toBeGreaterThanOrEqual(MUTATIONS.length);
    const first = await api.call('GET', '/audit?limit=2');
    expect(first.json.items).toHaveLength(2);
    const second = await api.call('GET', `/audit?limit=2&after=${first.json.next}`);
    expect(second.json.items[0].id).toBe(all[2].id);

    const exported = await api.call('GET', '/audit/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = exported.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(all);
    const filtered = await api.call('GET', '/audit/export?action=keys.rotate');
    expect(filtered.text.trimEnd().split('\n')).toHaveLength(1);
  });

  it('is readable and exportable by owners holding audit:read, not by editors or viewers', async () => {
    const auditor = await api.key('owner', ['audit:read']);
    expect((await api.call('GET', '/audit', { token: auditor.token })).status).toBe(200);
    expect((await api.call('GET', '/audit/export', { token: auditor.token })).status).toBe(200);
    const editor = await api.key('editor');
    expect((await api.call('GET', '/audit/export', { token: editor.token })).status).toBe(403);
    const viewer = await api.key('viewer');
    expect((await api.call('GET', '/audit', { token: viewer.token })).status).toBe(403);
  });
});
