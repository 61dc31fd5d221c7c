import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiText } from '../../src/api/openapi.js';
import { ROUTE_SPECS } from '../../src/api/routes/index.js';
import { errorSchema } from '../../src/api/schemas.js';
import { run as serve } from '../../src/cli/commands/serve.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { email } from '../inventory/fixtures.js';
import { startTestApi, tempDir, type TestApi } from './helpers.js';

const COMMITTED = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
const REGENERATE = 'regenerate it: segmentloom serve --print-openapi --output docs/openapi.json';

describe('OpenAPI document', () => {
  let api: TestApi;
  let doc: any;
  beforeAll(async () => {
    api = await startTestApi();
    await upsertObservations(api.t.db, [email('web')]);
    doc = JSON.parse(readFileSync(COMMITTED, 'utf8'));
  });
  afterAll(() => api.close());

  it('is served at /openapi.json without a key and equals the committed docs/openapi.json', async () => {
    const served = await api.call('GET', '/openapi.json', { token: null });
    expect(served.status).toBe(200);
    expect(served.json, REGENERATE).toEqual(doc);
    expect(readFileSync(COMMITTED, 'utf8'), REGENERATE).toBe(openApiText());
  });

  it('serve --print-openapi writes the same document', async () => {
    const out = join(tempDir(), 'openapi.json');
    const code = await serve(['--print-openapi', '--output', out], { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: process.stderr, env: {} });
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('is OpenAPI 3.1 with an operation per route, unique operation ids and resolvable references', () => {
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops as object).map(([method, op]) => ({ path, method, op })));
    expect(operations).toHaveLength(ROUTE_SPECS.length);
    for (const spec of ROUTE_SPECS) {
      const op = doc.paths[spec.url.replace(/:(\w+)/g, '{$1}')]?.[spec.method.toLowerCase()];
      expect(op, `${spec.method} ${spec.url}`).toBeDefined();
      expect(op.security).toEqual(spec.action === 'public' ? [] : [{ apiKey: [] }]);
      if (spec.action !== 'public') expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    const ids = operations.map((o) => (o.op as { operationId: string }).operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      const name = /#\/components\/schemas\/(\w+)/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], ref).toBeTruthy();
    }
  });

  it('describes what the server actually answers (the schemas the document is generated from)', async () => {
    const check = async (method: string, path: string, url: string, body?: unknown) => {
      const spec = ROUTE_SPECS.find((s) => s.method === method && s.url === url)!;
      const reply = await api.call(method, path, { body });
      const documented = doc.paths[url.replace(/:(\w+)/g, '{$1}')][method.toLowerCase()].responses[String(reply.status)];
      expect(documented, `${method} ${path} answered ${reply.status}, which is not documented`).toBeDefined();
      const schema = reply.status === spec.response.status ? spec.response.schema! : errorSchema;
      const parsed = schema.safeParse(reply.json);
      expect(parsed.success, `${method} ${path}: ${parsed.error?.message}`).toBe(true);
      // The document says additionalProperties: false; nothing undocumented may be sent.
      expect(parsed.data).toEqual(reply.json);
    };
    await check('GET', '/inventory', '/inventory');
    await check('GET', '/classifiers', '/classifiers');
    await check('GET', '/classifiers/email', '/classifiers/:id');
    await check('GET', '/policies', '/policies');
    await check('POST', '/keys', '/keys', { name: 'documented', role: 'viewer' });
    await check('GET', '/keys', '/keys');
    await check('GET', '/audit', '/audit');
    await check('POST', '/requests', '/requests', { type: 'SUPPRESS', userId: 'doc-user' });
    await check('GET', '/subjects/export?userId=doc-user', '/subjects/export');
    await check('POST', '/keys', '/keys', { role: 'viewer' });
    await check('GET', '/classifiers/no_such', '/classifiers/:id');
  });
});
