import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

/**
 * Bad input on every endpoint that takes input: always a 4xx in the `{ error: { code, message,
 * field } }` shape, the field named in `field` and in the message, never a 500.
 */

const KEY = '0123456789abcdef';
const CLASSIFIER = (over: string) => `id: x_probe\nname: Probe\nclassification: red\ncategory: user.unique_id\nkey:\n  names: [probe]\n${over}`;

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  status?: number;
  field: string;
  /** Defaults to the field; for unknown keys the message names the key. */
  mentions?: string;
}

const CASES: Case[] = [
  // inventory
  { name: 'list: unknown status', method: 'GET', path: '/inventory?status=archived', field: 'status' },
  { name: 'list: limit 0', method: 'GET', path: '/inventory?limit=0', field: 'limit' },
  { name: 'list: limit not a number', method: 'GET', path: '/inventory?limit=lots', field: 'limit' },
  { name: 'list: unknown classification', method: 'GET', path: '/inventory?classification=purple', field: 'classification' },
  { name: 'list: repeated source', method: 'GET', path: '/inventory?source=a&source=b', field: 'source' },
  { name: 'list: unknown parameter', method: 'GET', path: '/inventory?colour=red', field: 'query', mentions: 'colour' },
  { name: 'inbox: negative offset', method: 'GET', path: '/inventory/inbox?offset=-1', field: 'offset' },
  { name: 'inbox: status is implied', method: 'GET', path: '/inventory/inbox?status=inbox', field: 'query', mentions: 'status' },
  { name: 'csv: unknown status', method: 'GET', path: '/inventory/export.csv?status=x', field: 'status' },
  {
    name: 'classify: missing classification',
    method: 'PUT',
    path: '/inventory/classification',
    body: { source: 's', event: 'e', path: 'p' },
    field: 'classification',
  },
  {
    name: 'classify: unknown classification',
    method: 'PUT',
    path: '/inventory/classification',
    body: { source: 's', event: 'e', path: 'p', classification: 'purple' },
    field: 'classification',
  },
  {
    name: 'classify: missing source',
    method: 'PUT',
    path: '/inventory/classification',
    body: { event: 'e', path: 'p', classification: 'red' },
    field: 'source',
  },
  { name: 'classify: no body', method: 'PUT', path: '/inventory/classification', field: 'source' },
  { name: 'accept: empty source', method: 'POST', path: '/inventory/accept', body: { source: '', event: 'e', path: 'p' }, field: 'source' },
  { name: 'accept: path not a string', method: 'POST', path: '/inventory/accept', body: { source: 's', event: 'e', path: 7 }, field: 'path' },
  { name: 'accept: array body', method: 'POST', path: '/inventory/accept', body: [1, 2], field: 'body' },
  // classifiers
  { name: 'classifier: bad id', method: 'GET', path: '/classifiers/Not-An-Id', field: 'id' },
  { name: 'classifier put: bad id', method: 'PUT', path: '/classifiers/BAD', body: CLASSIFIER(''), field: 'id' },
  {
    name: 'classifier put: bad classification',
    method: 'PUT',
    path: '/classifiers/x_probe',
    body: CLASSIFIER('').replace('red', 'purple'),
    field: 'classification',
  },
  { name: 'classifier put: id differs from URL', method: 'PUT', path: '/classifiers/y_probe', body: CLASSIFIER(''), field: 'id' },
  { name: 'classifier put: invalid YAML', method: 'PUT', path: '/classifiers/x_probe', body: 'id: [', field: 'body' },
  { name: 'classifier put: invalid JSON', method: 'PUT', path: '/classifiers/x_probe', body: '{"id": ', contentType: 'application/json', field: 'body' },
  {
    name: 'classifier put: JSON with a bad field',
    method: 'PUT',
    path: '/classifiers/x_probe',
    body: JSON.stringify({ id: 'x_probe', name: 'P', classification: 'red', category: 'Not Dotted' }),
    contentType: 'application/json',
    field: 'category',
  },
  {
    name: 'classifier put: invalid RE2 pattern',
    method: 'PUT',
    path: '/classifiers/x_probe',
    body: CLASSIFIER("value:\n  patterns: ['(unclosed']\n"),
    field: 'value.patterns[0]',
  },
  {
    name: 'classifier put: unknown validator',
    method: 'PUT',
    path: '/classifiers/x_probe',
    body: CLASSIFIER('value:\n  validators: [nope]\n'),
    field: 'value.validators[0]',
  },
  {
    name: 'classifier put: a list',
    method: 'PUT',
    path: '/classifiers/x_probe',
    body: `classifiers:\n  - ${CLASSIFIER('').replaceAll('\n', '\n    ').trimEnd()}\n  - ${CLASSIFIER('').replace('x_probe', 'z_probe').replaceAll('\n', '\n    ').trimEnd()}\n`,
    field: 'classifiers',
  },
  { name: 'classifier put: empty body', method: 'PUT', path: '/classifiers/x_probe', body: '', field: 'body' },
  { name: 'classifier put: typo field', method: 'PUT', path: '/classifiers/x_probe', body: CLASSIFIER('priorty: 3\n'), field: '(root)', mentions: 'priorty' },
  { name: 'classifier version: 0', method: 'GET', path: '/classifiers/email/versions/0', field: 'version' },
  { name: 'classifier version: not a number', method: 'GET', path: '/classifiers/email/versions/latest', field: 'version' },
  { name: 'classifier versions: bad id', method: 'GET', path: '/classifiers/E/versions', field: 'id' },
  // policies
  {
    name: 'policy put: empty match',
    method: 'PUT',
    path: '/policies',
    body: 'policies:\n  - { name: p, match: {}, action: block }\n',
    field: 'policies[0].match',
  },
  {
    name: 'policy put: unknown action',
    method: 'PUT',
    path: '/policies',
    body: 'policies:\n  - { name: p, match: { categories: [email] }, action: explode }\n',
    field: 'policies[0].action',
  },
  {
    name: 'policy put: unknown destination',
    method: 'PUT',
    path: '/policies',
    body: 'policies:\n  - { name: p, destinations: [nowhere], match: { categories: [email] }, action: block }\n',
    field: 'policies[0].destinations[0]',
  },
  { name: 'policy put: unknown section', method: 'PUT', path: '/policies', body: 'polices: []\n', field: '(root)', mentions: 'polices' },
  {
    name: 'policy put: literal secret',
    method: 'PUT',
    path: '/policies',
    body: 'hashing:\n  current: 1\n  keys: [{ version: 1, secret: a-literal-secret-0123456789 }]\n',
    field: 'hashing.keys[0].secret',
  },
  {
    name: 'policy put: secret variable not set',
    method: 'PUT',
    path: '/policies',
    body: 'hashing:\n  current: 1\n  keys: [{ version: 1, secret: "${NOT_SET_ANYWHERE}" }]\n',
    field: 'hashing.keys[0].secret',
    mentions: 'NOT_SET_ANYWHERE',
  },
  {
    name: 'policy put: JSON with a bad field',
    method: 'PUT',
    path: '/policies',
    body: JSON.stringify({ consentDefault: 'maybe' }),
    contentType: 'application/json',
    field: 'consentDefault',
  },
  { name: 'policy put: a list', method: 'PUT', path: '/policies', body: '- a\n- b\n', field: 'body' },
  { name: 'policy put: invalid YAML', method: 'PUT', path: '/policies', body: 'policies: [', field: 'body' },
  { name: 'policy version: not a number', method: 'GET', path: '/policies/versions/first', field: 'version' },
  // requests
  { name: 'request: no identifier', method: 'POST', path: '/requests', body: { type: 'DELETE' }, field: 'userId' },
  { name: 'request: unknown type', method: 'POST', path: '/requests', body: { type: 'ERASE', userId: 'u' }, field: 'type' },
  { name: 'request: two identifiers', method: 'POST', path: '/requests', body: { type: 'DELETE', userId: 'u', email: 'a@b.example' }, field: 'email' },
  { name: 'request: not an email', method: 'POST', path: '/requests', body: { type: 'SUPPRESS', email: 'nobody' }, field: 'email' },
  { name: 'request: empty userId', method: 'POST', path: '/requests', body: { type: 'DELETE', userId: '' }, field: 'userId' },
  { name: 'request: numeric userId', method: 'POST', path: '/requests', body: { type: 'DELETE', userId: 42 }, field: 'userId' },
  { name: 'request: unknown field', method: 'POST', path: '/requests', body: { type: 'DELETE', userId: 'u', phone: '1' }, field: 'body', mentions: 'phone' },
  { name: 'request status: not a uuid', method: 'GET', path: '/requests/latest', field: 'id' },
  { name: 'receipt: not a uuid', method: 'GET', path: '/requests/123/receipt', field: 'id' },
  { name: 'export: no identifier', method: 'GET', path: '/subjects/export', field: 'userId' },
  { name: 'export: not an email', method: 'GET', path: '/subjects/export?email=nobody', field: 'email' },
  { name: 'export: two identifiers', method: 'GET', path: '/subjects/export?userId=a&anonymousId=b', field: 'anonymousId' },
  // alerts
  { name: 'alert test: bad channel name', method: 'POST', path: `/alerts/channels/${encodeURIComponent('no such!')}/test`, field: 'name' },
  // keys
  { name: 'key: no name', method: 'POST', path: '/keys', body: { role: 'viewer' }, field: 'name' },
  { name: 'key: unknown role', method: 'POST', path: '/keys', body: { name: 'k', role: 'admin' }, field: 'role' },
  { name: 'key: unknown scope', method: 'POST', path: '/keys', body: { name: 'k', role: 'owner', scopes: ['audit:read', 'everything'] }, field: 'scopes[1]' },
  { name: 'key: scope beyond the role', method: 'POST', path: '/keys', body: { name: 'k', role: 'editor', scopes: ['profiles:read'] }, field: 'scopes[0]' },
  { name: 'rotate: bad id', method: 'POST', path: '/keys/not-hex/rotate', body: {}, field: 'id' },
  { name: 'rotate: negative overlap', method: 'POST', path: `/keys/${KEY}/rotate`, body: { overlapSeconds: -1 }, field: 'overlapSeconds' },
  { name: 'rotate: overlap over a week', method: 'POST', path: `/keys/${KEY}/rotate`, body: { overlapSeconds: 1e9 }, field: 'overlapSeconds' },
  { name: 'rotate: overlap not a number', method: 'POST', path: `/keys/${KEY}/rotate`, body: { overlapSeconds: 'soon' }, field: 'overlapSeconds' },
  { name: 'revoke: bad id', method: 'DELETE', path: '/keys/XYZ', field: 'id' },
  // audit
  { name: 'audit: limit too high', method: 'GET', path: '/audit?limit=5000', field: 'limit' },
  { name: 'audit: since not a timestamp', method: 'GET', path: '/audit?since=yesterday', field: 'since' },
  { name: 'audit export: negative cursor', method: 'GET', path: '/audit/export?after=-3', field: 'after' },
  // transport
  { name: 'malformed JSON', method: 'POST', path: '/keys', body: '{"name": "k",', contentType: 'application/json', field: 'body' },
  { name: 'empty JSON body with a JSON type', method: 'POST', path: '/requests', body: '', contentType: 'application/json', field: 'body' },
  {
    name: 'unsupported media type',
    method: 'POST',
    path: '/keys',
    body: '<key/>',
    contentType: 'application/xml',
    status: 415,
    field: 'content-type',
    mentions: 'application/xml',
  },
  {
    name: 'unsupported media type (config)',
    method: 'PUT',
    path: '/policies',
    body: '<p/>',
    contentType: 'application/xml',
    status: 415,
    field: 'content-type',
    mentions: 'application/xml',
  },
];

describe('bad input', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it.each(CASES)('$method $path ($name) → 4xx naming $field', async (c) => {
    const reply = await api.call(c.method, c.path, { body: c.body, contentType: c.contentType });
    expect(reply.status, reply.text).toBe(c.status ?? 400);
    expect(reply.json.error.field, reply.text).toBe(c.field);
    expect(typeof reply.json.error.code).toBe('string');
    expect(reply.json.error.message).toContain(c.mentions ?? c.field);
  });

  it('reports a misspelt field as an unknown field with a did-you-mean, not as a bad value of another', async () => {
    const reply = await api.call('PUT', '/inventory/classification', { body: { source: 's', event: 'e', path: 'p', clasification: 'red' } });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.json.error).toEqual({
      code: 'invalid_input',
      field: 'body',
      message: 'body: unknown field "clasification" (did you mean "classification"?); classification: required (expected one of "red", "yellow", "green")',
    });
  });

  it('lists every allowed value and every problem, never "(and N more)"', async () => {
    const reply = await api.call('PUT', '/inventory/classification', { body: { source: '', event: 'e', path: 'p', classification: 'purple' } });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.json.error.message).toBe('source: must not be empty; classification: expected one of "red", "yellow", "green"');
    expect(reply.text).not.toContain('more)');
    expect(reply.text).not.toContain('purple');
  });

  it('does not echo submitted values in error messages', async () => {
    const reply = await api.call('POST', '/requests', { body: { type: 'DELETE', email: 'secret-person-no-at-sign' } });
    expect(reply.status).toBe(400);
    expect(reply.text).not.toContain('secret-person');
    const json = await api.call('POST', '/keys', { body: '{"name": "very-private-value",', contentType: 'application/json' });
    expect(json.text).not.toContain('very-private-value');
  });

  it('answers unknown routes and methods with a JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/inventory'],
      ['GET', '/subjects/someone@example.com'],
    ] as const) {
      const reply = await api.call(method, path);
      expect(reply.status).toBe(404);
      expect(reply.json).toMatchObject({ error: { code: 'not_found' } });
      expect(reply.text).not.toContain('someone@example.com');
    }
    const missing = await api.call('GET', '/classifiers/no_such_thing');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it('refuses bodies over the limit with 413', async () => {
    const reply = await api.call('POST', '/keys', { body: { name: 'x'.repeat(2 * 1024 * 1024), role: 'viewer' } });
    expect(reply.status).toBe(413);
    expect(reply.json.error.code).toBe('body_too_large');
  });
});
