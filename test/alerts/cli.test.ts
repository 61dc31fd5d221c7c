// `segmentloom alerts` through the real binary, against real HTTP receivers and a real store:
// test a channel (the receiver's status and answer shown, no secret), list the channels, list
// the outbox of parked alerts and retry it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toAlert } from '../../src/alerts/alert.js';
import { SqlOutbox } from '../../src/alerts/outbox-sql.js';
import { verifyWebhookSignature } from '../../src/alerts/signature.js';
import { openDb } from '../../src/storage/open.js';
import { requireBuild, segmentloomAsync } from '../cli/helpers.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';
import { BASE_URL, signal, startReceiver, type Receiver } from './helpers.js';

let dir: string;
let rx: Receiver;
beforeAll(() => requireBuild());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sl-alerts-cli-'));
  rx = await startReceiver(() => ({ status: 200, body: 'ok' }));
});
afterEach(async () => {
  await rx.close();
  await rm(dir, { recursive: true, force: true });
});

/** Nothing about the store or keys from the shell running the tests. */
const CLEAN = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => /^(DATABASE_URL|SEGMENTLOOM_)/.test(k))
    .map((k) => [k, '']),
);
const cli = (args: string[], env: Record<string, string> = {}) => segmentloomAsync(args, { env: { ...CLEAN, ...env }, timeoutMs: 120_000 });

async function configFile(yaml: string): Promise<string> {
  const file = join(dir, 'segmentloom.yaml');
  await writeFile(file, yaml);
  return file;
}

const YAML = (url: string) => `
kafka:
  brokers: [localhost:9092]
alerts:
  baseUrl: https://segmentloom.example.com
  channels:
    - name: security-slack
      type: slack
      url: \${SLACK_URL}
    - name: siem
      type: webhook
      url: ${url}
      secret: \${HOOK_SECRET}
    - name: oncall
      type: pagerduty
      routingKey: \${PD_KEY}
      url: ${url}
`;

describe('segmentloom alerts test', () => {
  it("sends a clearly synthetic alert through the named channel and prints the receiver's answer", async () => {
    const file = await configFile(YAML(rx.url));
    const env = { SLACK_URL: rx.url, HOOK_SECRET: 'whsec_0123456789abcdef', PD_KEY: 'ROUTE-KEY-0123' };

    const s = await cli(['alerts', 'test', 'security-slack', '--config', file], env);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/^sent test alert al_[0-9a-f]{32} to slack channel "security-slack"\nreceiver answered HTTP 200: ok\n$/);
    const slack = JSON.parse(rx.requests[0]!.body) as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(slack.text).toBe('🔴 1 new data point (test)');
    expect(slack.blocks.some((b) => b.text?.text.includes('segmentloom_test'))).toBe(true);

    rx.setBehaviour(() => ({ status: 202, body: `{"status":"accepted","echo":"${env.HOOK_SECRET}"}` }));
    const w = await cli(['alerts', 'test', 'siem', `--config=${file}`], env);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toContain('receiver answered HTTP 202: {"status":"accepted","echo":"[redacted]"}');
    expect(w.stdout).not.toContain(env.HOOK_SECRET);
    const req = rx.requests[1]!;
    expect(JSON.parse(req.body)).toMatchObject({ schema: 'segmentloom.alert.v1', test: true, alerts: [{ source: 'segmentloom-test' }] });
    expect(
      verifyWebhookSignature(env.HOOK_SECRET, req.headers['x-segmentloom-timestamp'] as string, req.body, req.headers['x-segmentloom-signature'] as string),
    ).toEqual({ ok: true });

    rx.setBehaviour(() => ({ status: 202, body: `${'x'.repeat(500)}` }));
    const p = await cli(['alerts', 'test', 'oncall', '--config', file], env);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toContain(`receiver answered HTTP 202: ${'x'.repeat(199)}…\n`);
    expect(JSON.parse(rx.requests[2]!.body).payload.summary).toMatch(/^\[TEST\] Segmentloom: /);
  });

  it('fails with a clear message and exit code, never printing secrets', async () => {
    const file = await configFile(YAML(rx.url));
    const env = { SLACK_URL: `${rx.url}/SECRETTOKEN`, HOOK_SECRET: 'whsec_0123456789abcdef', PD_KEY: 'ROUTE' };

    const usage = await cli(['alerts', 'test'], env);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: segmentloom alerts test');

    const missing = await cli(['alerts', 'test', 'nope', '--config', file], env);
    expect(missing.status).toBe(78);
    expect(missing.stderr).toContain('no channel named "nope" (channels: security-slack, siem, oncall)');

    const noEnv = await cli(['alerts', 'test', 'siem', '--config', file]);
    expect(noEnv.status).toBe(78);
    expect(noEnv.stderr).toContain('alerts.channels[0].url: environment variable SLACK_URL is not set');

    const noFile = await cli(['alerts', 'test', 'siem', '--config', join(dir, 'missing.yaml')], env);
    expect(noFile.status).toBe(78);

    rx.setBehaviour(() => ({ status: 403, body: 'invalid_token' }));
    const down = await cli(['alerts', 'test', 'security-slack', '--config', file], env);
    expect(down.status).toBe(1);
    expect(down.stderr).toBe('segmentloom alerts: test alert not delivered: slack channel "security-slack": HTTP 403 (invalid_token)\n');
    expect(down.stderr).not.toContain('SECRETTOKEN');

    const noSection = await cli(['alerts', 'test', 'x', '--config', await configFile('kafka:\n  brokers: [x]\n')]);
    expect(noSection.status).toBe(78);
    expect(noSection.stderr).toContain('has no `alerts:` section');
  });
});

describe('segmentloom alerts channels list', () => {
  it('lists every channel with its receiver host, never its URL, key or secret', async () => {
    const file = await configFile(YAML(rx.url));
    const env = { SLACK_URL: 'https://hooks.slack.example/services/T000/B000/SECRETTOKEN', HOOK_SECRET: 'whsec_0123456789abcdef', PD_KEY: 'ROUTE-KEY-0123' };
    const listed = await cli(['alerts', 'channels', 'list', '--config', file, '--format', 'json'], env);
    expect(listed.status, listed.stderr).toBe(0);
    const host = new URL(rx.url).host;
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'security-slack', type: 'slack', receiver: 'hooks.slack.example' }),
      expect.objectContaining({ name: 'siem', type: 'webhook', receiver: host }),
      expect.objectContaining({ name: 'oncall', type: 'pagerduty', receiver: host }),
    ]);
    const table = await cli(['alerts', 'channels', 'list', '--config', file], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+RECEIVER\s+ROUTES\s+DIGEST$/);
    for (const out of [listed.stdout, table.stdout]) {
      expect(out).not.toContain('SECRETTOKEN');
      expect(out).not.toContain('whsec_');
      expect(out).not.toContain('ROUTE-KEY');
    }
  });
});

describe('segmentloom alerts outbox (PostgreSQL store named by the config)', () => {
  let url: string;
  const schema = uniqueSchema('alerts_outbox_cli');
  const env = { SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`, SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64') };
  beforeAll(async () => {
    url = await postgresUrl();
  });
  afterAll(async () => {
    if (url) await dropSchema(url, schema);
  });

  it('lists parked alerts and retries them: delivered ones leave, failures stay with the reason', async () => {
    const db = await openDb({ url, schema, create: true });
    const outbox = new SqlOutbox(db);
    const later = new Date(Date.now() + 3_600_000);
    await outbox.put({
      channel: 'siem',
      alerts: [toAlert(signal(), BASE_URL), toAlert(signal(), BASE_URL)],
      lastError: 'webhook channel "siem": HTTP 503',
      nextAttemptAt: later,
    });
    await outbox.put({ channel: 'removed', alerts: [toAlert(signal(), BASE_URL)], lastError: 'unknown channel', nextAttemptAt: later });
    await db.close();

    const file = await configFile(
      [
        'source: web',
        `files: { input: ${join(dir, 'none.ndjson')}, outDir: ${join(dir, 'out')} }`,
        'hashing: { current: 1, keys: [{ version: 1, secret: "alerts-outbox-test-key-0123456789" }] }',
        'destinations:',
        '  - { name: warehouse, topic: wh }',
        'storage:',
        `  databaseUrl: ${url}`,
        `  schema: ${schema}`,
        'inventory: {}',
        'alerts:',
        '  baseUrl: https://segmentloom.example.com',
        '  channels:',
        `    - { name: siem, type: webhook, url: ${rx.url}, secret: whsec_0123456789abcdef }`,
        '',
      ].join('\n'),
    );
    const listed = await cli(['alerts', 'outbox', 'list', '--config', file, '--format', 'json'], env);
    expect(listed.status, listed.stderr).toBe(0);
    const items = (
      JSON.parse(listed.stdout) as { items: Array<{ id: string; channel: string; alerts: number; attempts: number; lastError: string }>; total: number }
    ).items;
    expect(items.map((i) => [i.channel, i.alerts, i.attempts])).toEqual([
      ['siem', 2, 0],
      ['removed', 1, 0],
    ]);
    expect(listed.stdout).not.toContain('***');
    const [siem, removed] = items;

    rx.setBehaviour(() => ({ status: 500 }));
    const failed = await cli(['alerts', 'outbox', 'retry', siem!.id, '--config', file], env);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain(`${siem!.id}  siem  2 alert(s)  failed: webhook channel "siem": HTTP 500`);
    expect(rx.requests).toHaveLength(1);
    const after = JSON.parse((await cli(['alerts', 'outbox', 'list', '--config', file, '--format', 'json'], env)).stdout) as { items: typeof items };
    expect(after.items.find((i) => i.id === siem!.id)).toMatchObject({ attempts: 1, lastError: 'webhook channel "siem": HTTP 500' });

    rx.setBehaviour(() => ({ status: 200 }));
    const all = await cli(['alerts', 'outbox', 'retry', '--all', '--config', file], env);
    expect(all.status).toBe(1);
    expect(all.stdout).toContain(`${siem!.id}  siem  2 alert(s)  delivered`);
    expect(all.stdout).toContain(`${removed!.id}  removed  1 alert(s)  unknown_channel`);
    expect(all.stdout).toContain('1 delivered, 1 kept');
    expect(rx.requests).toHaveLength(2);
    expect((JSON.parse(rx.requests[1]!.body) as { alerts: unknown[] }).alerts).toHaveLength(2);
    const left = JSON.parse((await cli(['alerts', 'outbox', 'list', '--config', file, '--format', 'json'], env)).stdout) as { items: typeof items };
    expect(left.items.map((i) => i.id)).toEqual([removed!.id]);

    const both = await cli(['alerts', 'outbox', 'retry', removed!.id, '--all', '--config', file], env);
    expect(both.status).toBe(2);
  }, 120_000);
});
