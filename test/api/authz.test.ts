import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, ROLES, type Role, type Scope } from '../../src/api/authz.js';
import { ROUTE_SPECS } from '../../src/api/routes/index.js';
import { startTestApi, type TestApi } from './helpers.js';

/**
 * The authorization matrix, written out independently of src/api/authz.ts: every endpoint × every
 * role × every scope. Allowed requests are built to pass authorization and then stop harmlessly
 * (404 or 400), so the matrix runs without side effects; denied ones must be 403.
 */

const ALL: Role[] = ['owner', 'editor', 'viewer'];
const EDITORS: Role[] = ['owner', 'editor'];
const OWNERS: Role[] = ['owner'];
const NO_SUCH_UUID = '00000000-0000-4000-8000-000000000000';
const NO_SUCH_KEY = '0000000000000000';

interface Endpoint {
  method: string;
  route: string;
  path: string;
  body?: unknown;
  contentType?: string;
  roles: Role[] | 'public';
  scope: Scope | null;
}

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', route: '/healthz', path: '/healthz', roles: 'public', scope: null },
  { method: 'GET', route: '/openapi.json', path: '/openapi.json', roles: 'public', scope: null },
  { method: 'GET', route: '/metrics', path: '/metrics', roles: ALL, scope: null },
  { method: 'GET', route: '/inventory', path: '/inventory', roles: ALL, scope: null },
  { method: 'GET', route: '/inventory/inbox', path: '/inventory/inbox', roles: ALL, scope: null },
  { method: 'GET', route: '/inventory/export.csv', path: '/inventory/export.csv', roles: OWNERS, scope: null },
  {
    method: 'PUT',
    route: '/inventory/classification',
    path: '/inventory/classification',
    body: { source: 'none', event: 'none', path: 'none', classification: 'red' },
    roles: EDITORS,
    scope: 'inventory:manage',
  },
  {
    method: 'POST',
    route: '/inventory/accept',
    path: '/inventory/accept',
    body: { source: 'none', event: 'none', path: 'none' },
    roles: EDITORS,
    scope: 'inventory:manage',
  },
  { method: 'GET', route: '/inventory/counts', path: '/inventory/counts', roles: ALL, scope: null },
  { method: 'GET', route: '/inventory/point', path: '/inventory/point?source=none&event=none&path=none', roles: ALL, scope: null },
  { method: 'GET', route: '/inventory/map', path: '/inventory/map', roles: ALL, scope: null },
  { method: 'GET', route: '/inventory/exceptions', path: '/inventory/exceptions', roles: ALL, scope: null },
  {
    method: 'POST',
    route: '/inventory/classification/bulk',
    path: '/inventory/classification/bulk',
    body: { all: true, classification: 'red' },
    roles: EDITORS,
    scope: 'inventory:manage',
  },
  { method: 'POST', route: '/inventory/accept/bulk', path: '/inventory/accept/bulk', body: { all: true }, roles: EDITORS, scope: 'inventory:manage' },
  {
    method: 'POST',
    route: '/inventory/reject',
    path: '/inventory/reject',
    body: { source: 'none', event: 'none', path: 'none', reason: 'not personal' },
    roles: EDITORS,
    scope: 'inventory:manage',
  },
  {
    method: 'POST',
    route: '/inventory/reviewed',
    path: '/inventory/reviewed',
    body: { source: 'none', event: 'none', path: 'none' },
    roles: EDITORS,
    scope: 'inventory:manage',
  },
  { method: 'GET', route: '/classifiers', path: '/classifiers', roles: ALL, scope: null },
  { method: 'GET', route: '/classifiers/:id', path: '/classifiers/email', roles: ALL, scope: null },
  { method: 'PUT', route: '/classifiers/:id', path: '/classifiers/matrix_probe', body: 'id: [', roles: EDITORS, scope: 'policies:manage' },
  { method: 'GET', route: '/classifiers/:id/versions', path: '/classifiers/email/versions', roles: ALL, scope: null },
  { method: 'GET', route: '/classifiers/:id/versions/:version', path: '/classifiers/email/versions/99', roles: ALL, scope: null },
  { method: 'POST', route: '/classifiers/try', path: '/classifiers/try', body: { path: 'properties.email', value: 'x' }, roles: ALL, scope: null },
  { method: 'GET', route: '/policies', path: '/policies', roles: ALL, scope: null },
  { method: 'PUT', route: '/policies', path: '/policies', body: 'policies: [', roles: EDITORS, scope: 'policies:manage' },
  { method: 'GET', route: '/policies/versions', path: '/policies/versions', roles: ALL, scope: null },
  { method: 'GET', route: '/policies/versions/:version', path: '/policies/versions/99', roles: ALL, scope: null },
  { method: 'POST', route: '/requests', path: '/requests', body: { type: 'DELETE' }, roles: OWNERS, scope: 'deletions:trigger' },
  { method: 'GET', route: '/requests/:id', path: `/requests/${NO_SUCH_UUID}`, roles: OWNERS, scope: 'deletions:trigger' },
  { method: 'GET', route: '/requests', path: '/requests?status=NOPE', roles: OWNERS, scope: 'deletions:trigger' },
  { method: 'GET', route: '/requests/at-risk', path: '/requests/at-risk', roles: OWNERS, scope: 'deletions:trigger' },
  { method: 'GET', route: '/receipts/public-key', path: '/receipts/public-key', roles: 'public', scope: null },
  { method: 'GET', route: '/requests/:id/receipt', path: `/requests/${NO_SUCH_UUID}/receipt`, roles: OWNERS, scope: 'deletions:trigger' },
  { method: 'GET', route: '/subjects/export', path: '/subjects/export', roles: OWNERS, scope: 'profiles:read' },
  { method: 'GET', route: '/subjects/export.ndjson', path: '/subjects/export.ndjson', roles: OWNERS, scope: 'profiles:read' },
  { method: 'GET', route: '/alerts/channels', path: '/alerts/channels', roles: ALL, scope: null },
  { method: 'POST', route: '/alerts/channels/:name/test', path: '/alerts/channels/nope/test', roles: EDITORS, scope: 'policies:manage' },
  { method: 'GET', route: '/alerts/outbox', path: '/alerts/outbox?limit=0', roles: ALL, scope: null },
  { method: 'POST', route: '/alerts/outbox/:id/retry', path: '/alerts/outbox/nope/retry', roles: EDITORS, scope: 'policies:manage' },
  { method: 'GET', route: '/keys', path: '/keys', roles: OWNERS, scope: 'keys:manage' },
  { method: 'POST', route: '/keys', path: '/keys', body: { role: 'viewer' }, roles: OWNERS, scope: 'keys:manage' },
  { method: 'POST', route: '/keys/:id/rotate', path: `/keys/${NO_SUCH_KEY}/rotate`, body: {}, roles: OWNERS, scope: 'keys:manage' },
  { method: 'DELETE', route: '/keys/:id', path: `/keys/${NO_SUCH_KEY}`, roles: OWNERS, scope: 'keys:manage' },
  { method: 'GET', route: '/write-keys', path: '/write-keys', roles: OWNERS, scope: 'keys:manage' },
  { method: 'POST', route: '/write-keys', path: '/write-keys', body: { source: 'web' }, roles: OWNERS, scope: 'keys:manage' },
  { method: 'POST', route: '/write-keys/:id/rotate', path: `/write-keys/${NO_SUCH_KEY}/rotate`, body: {}, roles: OWNERS, scope: 'keys:manage' },
  { method: 'DELETE', route: '/write-keys/:id', path: `/write-keys/${NO_SUCH_KEY}`, roles: OWNERS, scope: 'keys:manage' },
  { method: 'GET', route: '/master-keys', path: '/master-keys', roles: OWNERS, scope: 'keys:manage' },
  { method: 'POST', route: '/master-keys/rotate', path: '/master-keys/rotate', body: {}, roles: OWNERS, scope: 'keys:manage' },
  { method: 'GET', route: '/audit', path: '/audit', roles: OWNERS, scope: 'audit:read' },
  { method: 'GET', route: '/audit/export', path: '/audit/export', roles: OWNERS, scope: 'audit:read' },
];

interface PrincipalCase {
  label: string;
  role: Role;
  scopes: Scope[];
}

const OWNER_SCOPES: Scope[] = ['events:write', 'profiles:read', 'inventory:manage', 'policies:manage', 'deletions:trigger', 'audit:read', 'keys:manage'];
const PRINCIPALS: PrincipalCase[] = [
  { label: 'owner (all scopes)', role: 'owner', scopes: OWNER_SCOPES },
  { label: 'owner (no scopes)', role: 'owner', scopes: [] },
  ...OWNER_SCOPES.map((scope) => ({ label: `owner (${scope} only)`, role: 'owner' as Role, scopes: [scope] })),
  { label: 'editor (default scopes)', role: 'editor', scopes: ['inventory:manage', 'policies:manage'] },
  { label: 'editor (no scopes)', role: 'editor', scopes: [] },
  { label: 'editor (inventory:manage only)', role: 'editor', scopes: ['inventory:manage'] },
  { label: 'editor (policies:manage only)', role: 'editor', scopes: ['policies:manage'] },
  { label: 'editor (every scope it may hold)', role: 'editor', scopes: ['events:write', 'inventory:manage', 'policies:manage'] },
  { label: 'viewer (default)', role: 'viewer', scopes: [] },
];

function expectedAllowed(endpoint: Endpoint, p: PrincipalCase): boolean {
  if (endpoint.roles === 'public') return true;
  return endpoint.roles.includes(p.role) && (endpoint.scope === null || p.scopes.includes(endpoint.scope));
}

describe('authorization matrix', () => {
  let api: TestApi;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    api = await startTestApi();
    for (const p of PRINCIPALS) tokens.set(p.label, (await api.key(p.role, p.scopes, p.label)).token);
  });
  afterAll(() => api.close());

  it('covers every route of the API', () => {
    const declared = ROUTE_SPECS.map((s) => `${s.method} ${s.url}`).sort();
    expect(ENDPOINTS.map((e) => `${e.method} ${e.route}`).sort()).toEqual(declared);
  });

  it.each(ENDPOINTS)('$method $route: allowed and denied per role and scope', async (endpoint) => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const p of PRINCIPALS) {
      const reply = await api.call(endpoint.method, endpoint.path, { token: tokens.get(p.label)!, body: endpoint.body, contentType: endpoint.contentType });
      const allowed = expectedAllowed(endpoint, p);
      expected.push(`${p.label}: ${allowed ? 'allowed' : 'denied'}`);
      outcomes.push(`${p.label}: ${reply.status === 403 ? 'denied' : reply.status === 401 ? 'unauthenticated' : 'allowed'}`);
      if (!allowed) expect(reply.json).toMatchObject({ error: { code: 'forbidden' } });
      expect(reply.status, `${p.label} got ${reply.status}: ${reply.text.slice(0, 200)}`).toBeLessThan(500);
    }
    expect(outcomes).toEqual(expected);
  });

  it.each(ENDPOINTS.filter((e) => e.roles !== 'public'))('$method $route: 401 without a key or with a bad one', async (endpoint) => {
    for (const token of [null, 'sl_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-key']) {
      const reply = await api.call(endpoint.method, endpoint.path, { token, body: endpoint.body });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.json).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('docs/api.md shows the matrix the code enforces', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const [action, p] of Object.entries(ACTIONS)) {
      const roles = ROLES.map((r) => ((p.roles as readonly string[]).includes(r) ? '✓' : '—')).join(' | ');
      const endpoints = ROUTE_SPECS.filter((s) => s.action === action)
        .map((s) => `\`${s.method} ${s.url}\``)
        .join(', ');
      expect(doc).toContain(`| \`${action}\` | ${roles} | ${p.scope ? `\`${p.scope}\`` : '—'} | ${endpoints} |`);
    }
  });

  it('keys cannot create keys above their own role or with scopes they do not hold', async () => {
    const limited = (await api.key('owner', ['audit:read', 'keys:manage'], 'limited owner')).token;
    const escalate = await api.call('POST', '/keys', { token: limited, body: { name: 'x', role: 'owner' } });
    expect(escalate.status).toBe(403);
    expect(escalate.json.error.message).toMatch(/cannot grant scopes this key does not hold/);
    const ok = await api.call('POST', '/keys', { token: limited, body: { name: 'reader', role: 'viewer', scopes: [] } });
    expect(ok.status).toBe(201);
    const tooMuch = await api.call('POST', '/keys', { body: { name: 'v', role: 'viewer', scopes: ['deletions:trigger'] } });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.error.field).toBe('scopes[0]');
  });
});
