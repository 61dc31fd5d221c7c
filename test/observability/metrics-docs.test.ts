// docs/metrics.md lists every metric: the engine's registry and the API's, built as the code builds
// them (the engine: EngineMetrics with Node defaults, the durable state's inventory, alert and
// retention metrics; the API: `segmentloom serve`'s registry with the routes registered), each
// name in its section's table, and every row of a table naming a metric that exists.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestConfig } from '../../src/config/ingest-schema.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { buildIngest, type IngestOptions } from '../../src/ingest/app.js';
import { EngineMetrics } from '../../src/observability/metrics.js';
import { DurableState } from '../../src/state/durable.js';
import { startTestApi, type TestApi } from '../api/helpers.js';
import { silentLogger } from '../../src/core/logger.js';

const DOC = readFileSync(path.join(import.meta.dirname, '../../docs/metrics.md'), 'utf8');

/** The metric names in the first column of the table under `## heading`. */
function documented(heading: string): string[] {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/metrics.md has a "## ${heading}" section`).toBeGreaterThan(-1);
  const rest = DOC.slice(start + heading.length + 5);
  const section = rest.slice(0, rest.search(/\n## |$/));
  const names = [...section.matchAll(/^\|\s*`([a-z_:*]+)`/gm)].map((m) => m[1]!);
  expect(names.length, `rows in the ${heading} table`).toBeGreaterThan(0);
  return names;
}

/** Registered names, with Node's default metrics (process_/nodejs_ after `prefix`) as one `prefix(process|nodejs)_*` row. */
async function registered(registry: Registry, prefix: string): Promise<{ own: string[]; defaults: boolean }> {
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  const isDefault = (n: string) => n.startsWith(`${prefix}process_`) || n.startsWith(`${prefix}nodejs_`);
  return { own: names.filter((n) => !isDefault(n)).sort(), defaults: names.some(isDefault) };
}

function check(rows: string[], reg: { own: string[]; defaults: boolean }, prefix: string): void {
  const defaultRows = [`${prefix}process_*`, `${prefix}nodejs_*`];
  for (const name of reg.own) expect(rows, `${name} is documented`).toContain(name);
  expect(reg.defaults).toBe(true);
  for (const row of defaultRows) expect(rows, `${row} (Node defaults) is documented`).toContain(row);
  for (const row of rows) {
    if (defaultRows.includes(row)) continue;
    expect(reg.own, `the documented ${row} is a real metric`).toContain(row);
  }
}

describe('docs/metrics.md', () => {
  let engine: Registry;
  let durable: DurableState | null = null;
  let api: TestApi;
  let apiRegistry: Registry;

  beforeAll(async () => {
    // The engine as src/app/start.ts builds it, over an embedded store with the retention sweep on.
    const dir = mkdtempSync(path.join(tmpdir(), 'metrics-docs-'));
    const file = path.join(dir, 'engine.yaml');
    writeFileSync(
      file,
      [
        'source: web',
        'files: { input: ./events.ndjson, outDir: ./out }',
        'classifiers: [builtin]',
        'hashing: { current: 1, keys: [{ version: 1, secret: "metrics-docs-test-key-0123456789" }] }',
        'destinations:',
        '  - { name: warehouse, topic: wh }',
        'storage: { dataDir: ./data }',
        'inventory: { flushIntervalMs: 100 }',
        'alerts: { baseUrl: "http://127.0.0.1:8080", channels: [{ name: hook, type: webhook, url: "http://127.0.0.1:9/hook", secret: "metrics-docs-webhook-secret-0123456789" }] }',
        'logging: { level: silent }',
        '',
      ].join('\n'),
    );
    const env = { SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`, SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64') };
    const config = await loadEngineConfig(file, env);
    const metrics = new EngineMetrics({ defaultMetrics: true });
    durable = await DurableState.open(config, { logger: silentLogger(), env, registry: metrics.registry });
    engine = metrics.registry;
    // The API as `segmentloom serve` builds it (src/cli/commands/serve.ts).
    api = await startTestApi();
    apiRegistry = api.api.ctx.registry;
    collectDefaultMetrics({ register: apiRegistry, prefix: 'segmentloom_api_' });
  });
  afterAll(async () => {
    await durable?.close();
    await api?.close();
  });

  it('the engine section lists every engine metric, and only those', async () => {
    check(documented('Engine'), await registered(engine, 'segmentloom_'), 'segmentloom_');
  });

  it('the API section lists every API metric, and only those', async () => {
    check(documented('API'), await registered(apiRegistry, 'segmentloom_api_'), 'segmentloom_api_');
  });

  it('the ingest section lists the HTTP ingest metrics (its own /metrics with a broker, else the engine registry)', async () => {
    const registry = new Registry();
    buildIngest({
      config: parseIngestConfig({ port: 0, topic: 'metrics-docs', sources: [{ name: 'web' }] }),
      sink: { send: async () => {} } as unknown as IngestOptions['sink'],
      writeKeys: { verify: async () => null } as unknown as IngestOptions['writeKeys'],
      logger: silentLogger(),
      registry,
    });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names.length).toBeGreaterThan(0);
    expect(documented('Ingest').sort()).toEqual(names);
  });

  it('the README links it', () => {
    expect(readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8')).toContain('docs/metrics.md');
  });
});
