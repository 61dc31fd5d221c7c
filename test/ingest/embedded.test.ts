// The embedded default (no Kafka): `segmentloom ingest serve` feeds the file pipeline directly.
// Write keys are made with `segmentloom ingest keys`, the real analytics-node client sends, and
// the controlled events are in the destination's NDJSON file once each when the 200s came back.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Analytics } from '@segment/analytics-node';
import { expect, it } from 'vitest';
import { run as ingestCommand } from '../../src/cli/commands/ingest.js';
import { run as initCommand } from '../../src/cli/commands/init.js';
import { tempDir } from '../pipeline/helpers.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

it('serves the Tracking API in front of the embedded pipeline, write keys managed by the CLI', async () => {
  const dir = tempDir('sl-ingest-embedded-');
  const dataDir = join(dir, 'data');
  const file = join(dir, 'engine.yaml');
  writeFileSync(
    file,
    `
files: { outDir: out }
storage:
  dataDir: data
  masterKeys: "1:c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA="
  lookupKey: "c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE="
hashing:
  current: 1
  keys: [{ version: 1, secret: "embedded-ingest-test-key-0123456789" }]
policies:
  - { name: block-secrets, match: { categories: [password] }, action: block }
destinations:
  - { name: warehouse, topic: segment.warehouse }
ingest:
  port: 0
  sources: [{ name: web-app }]
logging: { level: silent }
reload: { enabled: false }
`,
  );
  const env = { ...process.env, DATABASE_URL: '' };
  const io = () => {
    const out = capture();
    const err = capture();
    return { out, err, io: { stdout: out.stream, stderr: err.stream, env } };
  };
  const init = io();
  expect(await initCommand(['--data-dir', dataDir], init.io)).toBe(0);
  const created = io();
  expect(await ingestCommand(['keys', 'create', '--source', 'web-app', '--data-dir', dataDir], created.io)).toBe(0);
  const writeKey = created.out.text().trim();
  expect(writeKey).toMatch(/^wk_[0-9a-f]{16}_/);

  const serve = io();
  const abort = new AbortController();
  const serving = ingestCommand(['serve', '--config', file], serve.io, { signal: abort.signal });
  let url: string | undefined;
  const until = Date.now() + 60_000;
  while (!(url = /listening on (\S+)/.exec(serve.err.text())?.[1]) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  expect(url, serve.err.text()).toBeDefined();
  try {
    const analytics = new Analytics({ writeKey, host: url!, flushAt: 5, flushInterval: 100 });
    const statuses: number[] = [];
    analytics.on('http_response', (r) => statuses.push(r.status));
    for (let i = 0; i < 12; i++) analytics.identify({ userId: `user-${i}`, traits: { plan: 'pro', password: `pw-${i}-secret` } });
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // A 200 means the pipeline wrote the batch: the file holds the events already.
    const out = join(dir, 'out', 'warehouse.ndjson');
    expect(existsSync(out)).toBe(true);
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(12);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(12);
    for (const e of events) {
      expect(e.traits.plan).toBe('pro');
      expect(e.traits.password).toBeUndefined();
    }
    const refused = await fetch(`${url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u', event: 'E', writeKey: `wk_0000000000000000_${'A'.repeat(43)}` }),
    });
    expect(refused.status).toBe(401);
  } finally {
    abort.abort();
    expect(await serving).toBe(0);
  }
}, 120_000);
