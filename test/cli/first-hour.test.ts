// The first hour, through the real binary: after the engine ran with a config, every store
// command given the same --config opens the same store with the same keys (no hand-copied
// secret), and the daily review works in bulk: filters or a list of points, a dry count first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';
import { requireBuild, ROOT, type CliResult } from './helpers.js';

/** Nothing about the store or its keys inherited from the shell running the tests. */
const BASE_ENV = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter(([k]) => !/^(DATABASE_URL|SEGMENTLOOM_)/.test(k)),
) as NodeJS.ProcessEnv;

async function cli(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), ...args], { cwd: ROOT, env: { ...BASE_ENV, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  return { status, signal, stdout, stderr, elapsed: Date.now() - started };
}

const EVENTS = [
  { type: 'identify', messageId: 'fh-1', userId: 'user-fh-1', timestamp: '2026-01-01T00:00:00Z', traits: { email: 'maria.lopez@example.org', plan: 'pro' } },
  {
    type: 'track',
    messageId: 'fh-2',
    userId: 'user-fh-1',
    event: 'Order Completed',
    timestamp: '2026-01-01T00:00:01Z',
    properties: { total: 42, currency: 'EUR', phone: '+44 20 7946 0958' },
  },
  {
    type: 'track',
    messageId: 'fh-3',
    userId: 'user-fh-2',
    event: 'Signed Up',
    timestamp: '2026-01-01T00:00:02Z',
    properties: { plan: 'free', card: '4111 1111 1111 1111' },
  },
];

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'firsthour-'));
  writeFileSync(path.join(dir, 'events.ndjson'), `${EVENTS.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return dir;
}

// Every command here is a process of its own (node start-up, the CLI's modules, the store): 10–40 s
// each at a load of 20–30 on two cores, and a test runs up to five. Their budget is that work, not
// the default 30 s; the 150 s guard in cli() still ends a hung one.
const SLOW = { timeout: 300_000 };

describe('store commands take the engine config (embedded store, demo keys from config/embedded.yaml)', SLOW, () => {
  let config: string;
  beforeAll(async () => {
    requireBuild();
    const dir = workDir();
    config = path.join(dir, 'embedded.yaml');
    // config/embedded.yaml itself, with its relative paths pointed into the temporary directory.
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path.join(ROOT, 'config/embedded.yaml'), 'utf8')
      .replace('../samples/events.ndjson', './events.ndjson')
      .replace('../out', './out')
      .replace('../.segmentloom/data', './data');
    writeFileSync(config, text);
    const ran = await cli(['run', '--config', config, '--log-level', 'silent']);
    expect(ran.status, ran.stderr).toBe(0);
  });

  it('subject export and requests create work with --config alone; without it they say what is missing', async () => {
    const without = await cli(['subject', 'export', '--user-id', 'user-fh-1', '--data-dir', path.join(path.dirname(config), 'data')]);
    expect(without.status).toBe(78);
    expect(without.stderr).toContain('no master key');

    const exported = await cli(['subject', 'export', '--user-id', 'user-fh-1', '--config', config]);
    expect(exported.status, exported.stderr).toBe(0);
    const data = JSON.parse(exported.stdout) as { subjects: unknown[]; events: Array<{ messageId?: string }> };
    expect(data.subjects.length).toBe(1);
    expect(exported.stdout).toContain('fh-2');

    const deleted = await cli(['requests', 'create', 'DELETE', '--user-id', '-', '--config', config], { input: 'user-fh-1\n' });
    expect(deleted.status, deleted.stderr).toBe(0);
    const request = JSON.parse(deleted.stdout) as { status: string; receipt: { requestId: string } | null; id: string };
    expect(request.status).toBe('FINISHED');
    expect(request.receipt?.requestId).toBe(request.id);

    const after = await cli(['subject', 'export', '--user-id', 'user-fh-1', '--config', config]);
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).not.toContain('fh-2');
  }, 240_000);

  it('--config and the location flags are not mixed', async () => {
    const mixed = await cli(['inventory', 'list', '--config', config, '--data-dir', '/tmp']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain('leave out --data-dir');
  });
});

describe('daily review in bulk (PostgreSQL store named by the config, keys from the environment)', SLOW, () => {
  let config: string;
  let url: string;
  const schema = uniqueSchema('firsthour_review');
  const env = { SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`, SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64') };

  beforeAll(async () => {
    requireBuild();
    url = await postgresUrl();
    const dir = workDir();
    config = path.join(dir, 'engine.yaml');
    writeFileSync(
      config,
      [
        'source: web',
        'files: { input: ./events.ndjson, outDir: ./out }',
        'classifiers: [builtin]',
        'hashing: { current: 1, keys: [{ version: 1, secret: "firsthour-test-key-0123456789" }] }',
        'destinations:',
        '  - { name: warehouse, topic: wh }',
        'storage:',
        `  databaseUrl: ${url}`,
        `  schema: ${schema}`,
        'inventory: { flushIntervalMs: 100 }',
        'logging: { level: silent }',
        '',
      ].join('\n'),
    );
    const ran = await cli(['run', '--config', config], { env });
    expect(ran.status, ran.stderr).toBe(0);
  });
  afterAll(async () => {
    if (url) await dropSchema(url, schema);
  });

  it('lists red first with totals', async () => {
    const list = await cli(['inventory', 'list', '--config', config], { env });
    expect(list.status, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    const classes = lines.slice(1, -1).map((l) => l.split(/\s+/)[0]);
    expect(classes.length).toBeGreaterThan(2);
    const rank = { red: 0, yellow: 1, green: 2 } as Record<string, number>;
    expect(classes.map((c) => rank[c!])).toEqual([...classes.map((c) => rank[c!])].sort());
    expect(classes[0]).toBe('red');
    const counts = (c: string) => classes.filter((x) => x === c).length;
    expect(lines.at(-1)).toBe(`${classes.length} points: ${counts('red')} red, ${counts('yellow')} yellow, ${counts('green')} green`);
  });

  it('accepts every green inbox point of a source after a dry count', async () => {
    const green = JSON.parse(
      (await cli(['inventory', 'list', '--config', config, '--classification', 'green', '--status', 'inbox', '--format', 'json'], { env })).stdout,
    ) as unknown[];
    expect(green.length).toBeGreaterThan(0);

    const dry = await cli(['inventory', 'accept', '--config', config, '--classification', 'green', '--source', 'web'], { env });
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, matched: green.length, changed: green.length, totals: { green: green.length, red: 0 } });
    expect(dry.stderr).toContain('Nothing changed: run again with --yes');
    const still = JSON.parse(
      (await cli(['inventory', 'list', '--config', config, '--classification', 'green', '--status', 'inbox', '--format', 'json'], { env })).stdout,
    ) as unknown[];
    expect(still.length).toBe(green.length);

    const applied = await cli(['inventory', 'accept', '--config', config, '--classification', 'green', '--source', 'web', '--yes'], { env });
    expect(applied.status, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ dryRun: false, matched: green.length, changed: green.length });
    const left = JSON.parse(
      (await cli(['inventory', 'list', '--config', config, '--classification', 'green', '--status', 'inbox', '--format', 'json'], { env })).stdout,
    ) as unknown[];
    expect(left).toEqual([]);
  });

  it('classifies many listed points at once; unknown ones are reported, not invented', async () => {
    const points = JSON.parse((await cli(['inventory', 'list', '--config', config, '--classification', 'red', '--format', 'json'], { env })).stdout) as Array<{
      source: string;
      event: string;
      path: string;
    }>;
    expect(points.length).toBeGreaterThan(0);
    const listed = [...points.map(({ source, event, path: p }) => ({ source, event, path: p })), { source: 'web', event: 'Nope', path: 'properties.nope' }];
    const input = listed.map((p) => JSON.stringify(p)).join('\n');
    const applied = await cli(['inventory', 'classify', 'yellow', '--points', '-', '--yes', '--config', config], { env, input });
    expect(applied.status, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ matched: points.length, changed: points.length, missing: [{ event: 'Nope' }] });
    const red = JSON.parse((await cli(['inventory', 'list', '--config', config, '--classification', 'red', '--format', 'json'], { env })).stdout) as unknown[];
    expect(red).toEqual([]);
  });

  it('the audit log shows each change the CLI made, without curl', async () => {
    const single = await cli(['inventory', 'accept', 'web', 'Order Completed', 'properties.total', '--as', 'green', '--config', config], { env });
    expect(single.status, single.stderr).toBe(0);
    const tail = await cli(['audit', 'tail', '-n', '1', '--format', 'json', '--config', config], { env });
    expect(tail.status, tail.stderr).toBe(0);
    const [last] = JSON.parse(tail.stdout) as Array<{ actor: { role: string }; action: string; target: { id: string } }>;
    expect(last).toMatchObject({
      actor: { role: 'cli' },
      action: 'inventory.accept',
      target: { id: JSON.stringify(['web', 'Order Completed', 'properties.total']) },
    });
    const exported = await cli(['audit', 'export', '--action', 'inventory.classify', '--config', config], { env });
    expect(exported.status, exported.stderr).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((e) => e.action === 'inventory.classify')).toBe(true);
  });

  it('refuses a bulk change with no selection', async () => {
    const bare = await cli(['inventory', 'accept', '--config', config], { env });
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('needs filters');
  });

  it('retention sweep --dry-run counts and deletes nothing', async () => {
    const dry = await cli(['retention', 'sweep', '--dry-run', '--config', config], { env });
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, events: 0, byEvent: [] });
  });
});
