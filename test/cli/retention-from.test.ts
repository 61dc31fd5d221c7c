// storage.retention.from through the real binary: events whose own timestamp is old but which
// were received now are kept when retention counts from receipt (the default) and swept when
// it counts from the event's timestamp; a bad value is a config error naming the allowed values.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';
import { requireBuild, ROOT, type CliResult } from './helpers.js';

/** Nothing about the store or its keys inherited from the shell running the tests. */
const BASE_ENV = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter(([k]) => !/^(DATABASE_URL|SEGMENTLOOM_)/.test(k)),
) as NodeJS.ProcessEnv;

async function cli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), ...args], { cwd: ROOT, env: { ...BASE_ENV, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin.end('');
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  return { status, signal, stdout, stderr, elapsed: Date.now() - started };
}

const OLD = '2020-01-01T00:00:00Z';
const EVENTS = [
  { type: 'track', messageId: 'rf-old-1', userId: 'user-rf-1', event: 'Order Completed', timestamp: OLD, properties: { total: 1 } },
  { type: 'track', messageId: 'rf-old-2', userId: 'user-rf-2', event: 'Page Viewed', timestamp: '2020-02-01T00:00:00Z', properties: { path: '/a' } },
  { type: 'track', messageId: 'rf-new-1', userId: 'user-rf-1', event: 'Order Completed', timestamp: new Date().toISOString(), properties: { total: 2 } },
  // A future-dated event counts from receipt under `timestamp`: backdating forward buys nothing.
  { type: 'track', messageId: 'rf-future', userId: 'user-rf-3', event: 'Page Viewed', timestamp: '2999-01-01T00:00:00Z', properties: { path: '/b' } },
];

describe('storage.retention.from (PostgreSQL store named by the config)', () => {
  let dir: string;
  let url: string;
  const schema = uniqueSchema('retention_from');
  const env = { SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`, SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64') };

  /** The engine config with `retention` as the storage.retention line (YAML flow mapping). */
  function config(name: string, retention: string): string {
    const file = path.join(dir, name);
    writeFileSync(
      file,
      [
        'source: web',
        'files: { input: ./events.ndjson, outDir: ./out }',
        'classifiers: [builtin]',
        'hashing: { current: 1, keys: [{ version: 1, secret: "retention-from-test-key-0123456789" }] }',
        'destinations:',
        '  - { name: warehouse, topic: wh }',
        'storage:',
        `  databaseUrl: ${url}`,
        `  schema: ${schema}`,
        `  retention: ${retention}`,
        'logging: { level: silent }',
        '',
      ].join('\n'),
    );
    return file;
  }

  async function storedIds(): Promise<string[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = await client.query<{ message_id: string }>(`SELECT message_id FROM "${schema}".events ORDER BY message_id`);
      return rows.rows.map((r) => r.message_id);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    requireBuild();
    url = await postgresUrl();
    dir = mkdtempSync(path.join(tmpdir(), 'retention-from-'));
    writeFileSync(path.join(dir, 'events.ndjson'), `${EVENTS.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const ran = await cli(['run', '--config', config('received.yaml', '{ default: 30d }')], env);
    expect(ran.status, ran.stderr).toBe(0);
    expect(await storedIds()).toEqual(['rf-future', 'rf-new-1', 'rf-old-1', 'rf-old-2']);
  });
  afterAll(async () => {
    if (url) await dropSchema(url, schema);
  });

  it('counting from receipt (the default) keeps events with an old timestamp received now', async () => {
    const file = config('default.yaml', '{ default: 30d }');
    const dry = await cli(['retention', 'sweep', '--dry-run', '--config', file], env);
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, events: 0, byEvent: [] });
    const explicit = config('explicit.yaml', '{ default: 30d, from: received }');
    const swept = await cli(['retention', 'sweep', '--config', explicit], env);
    expect(swept.status, swept.stderr).toBe(0);
    expect(JSON.parse(swept.stdout)).toMatchObject({ events: 0, verified: { tampered: [] } });
    expect(await storedIds()).toEqual(['rf-future', 'rf-new-1', 'rf-old-1', 'rf-old-2']);
  });

  it('counting from the timestamp sweeps them, and only them', async () => {
    const file = config('timestamp.yaml', '{ default: 30d, from: timestamp }');
    const dry = await cli(['retention', 'sweep', '--dry-run', '--config', file], env);
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      events: 2,
      byEvent: [
        { event: 'Order Completed', events: 1, oldestExpiry: '2020-01-31T00:00:00.000Z' },
        { event: 'Page Viewed', events: 1, oldestExpiry: '2020-03-02T00:00:00.000Z' },
      ],
    });
    expect(await storedIds()).toHaveLength(4);
    const swept = await cli(['retention', 'sweep', '--config', file], env);
    expect(swept.status, swept.stderr).toBe(0);
    expect(JSON.parse(swept.stdout)).toMatchObject({ events: 2, verified: { tampered: [] } });
    expect(await storedIds()).toEqual(['rf-future', 'rf-new-1']);
  });

  it('a bad value is a config error naming the allowed values', async () => {
    const file = config('bad.yaml', '{ default: 30d, from: reception }');
    const result = await cli(['retention', 'sweep', '--dry-run', '--config', file], env);
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('storage.retention.from');
    expect(result.stderr).toContain('"received", "timestamp"');
  });
});
