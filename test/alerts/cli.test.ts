import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/alerts.js';
import { verifyWebhookSignature } from '../../src/alerts/signature.js';
import { startReceiver, type Receiver } from './helpers.js';

let dir: string;
let rx: Receiver;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sl-alerts-cli-'));
  rx = await startReceiver(() => ({ status: 200, body: 'ok' }));
});
afterEach(async () => {
  await rx.close();
  await rm(dir, { recursive: true, force: true });
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env } };
}

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
  it('sends a clearly synthetic alert through the named channel', async () => {
    const file = await configFile(YAML(rx.url));
    const env = { SLACK_URL: rx.url, HOOK_SECRET: 'whsec_0123456789abcdef', PD_KEY: 'ROUTE' };

    const s = io(env);
    expect(await run(['test', 'security-slack', '--config', file], s.io)).toBe(0);
    expect(s.out.join('')).toMatch(/^sent test alert al_[0-9a-f]{32} to slack channel "security-slack"\n$/);
    const slack = JSON.parse(rx.requests[0]!.body) as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(slack.text).toBe('🔴 1 new data point (test)');
    expect(slack.blocks.some((b) => b.text?.text.includes('segmentloom_test'))).toBe(true);

    const w = io(env);
    expect(await run(['alerts', 'test', 'siem', `--config=${file}`], w.io)).toBe(0);
    const req = rx.requests[1]!;
    expect(JSON.parse(req.body)).toMatchObject({ schema: 'segmentloom.alert.v1', test: true, alerts: [{ source: 'segmentloom-test' }] });
    const ok = verifyWebhookSignature(
      env.HOOK_SECRET,
      req.headers['x-segmentloom-timestamp'] as string,
      req.body,
      req.headers['x-segmentloom-signature'] as string,
    );
    expect(ok).toEqual({ ok: true });

    const p = io(env);
    expect(await run(['test', 'oncall', '--config', file], p.io)).toBe(0);
    expect(JSON.parse(rx.requests[2]!.body).payload.summary).toMatch(/^\[TEST\] Segmentloom: /);
  });

  it('fails with a clear message and exit code, never printing secrets', async () => {
    const file = await configFile(YAML(rx.url));
    const env = { SLACK_URL: `${rx.url}/SECRETTOKEN`, HOOK_SECRET: 'whsec_0123456789abcdef', PD_KEY: 'ROUTE' };

    const usage = io(env);
    expect(await run(['test'], usage.io)).toBe(2);
    expect(usage.err.join('')).toContain('usage: segmentloom alerts test');

    const missing = io(env);
    expect(await run(['test', 'nope', '--config', file], missing.io)).toBe(78);
    expect(missing.err.join('')).toContain('no channel named "nope" (channels: security-slack, siem, oncall)');

    const noEnv = io({});
    expect(await run(['test', 'siem', '--config', file], noEnv.io)).toBe(78);
    expect(noEnv.err.join('')).toContain('alerts.channels[0].url: environment variable SLACK_URL is not set');

    const noFile = io(env);
    expect(await run(['test', 'siem', '--config', join(dir, 'missing.yaml')], noFile.io)).toBe(78);

    rx.setBehaviour(() => ({ status: 403, body: 'invalid_token' }));
    const down = io(env);
    expect(await run(['test', 'security-slack', '--config', file], down.io)).toBe(1);
    expect(down.err.join('')).toBe('segmentloom alerts: test alert not delivered: slack channel "security-slack": HTTP 403 (invalid_token)\n');
    expect(down.err.join('')).not.toContain('SECRETTOKEN');
  });

  it('requires an alerts section', async () => {
    const file = await configFile('kafka:\n  brokers: [x]\n');
    const s = io();
    expect(await run(['test', 'x', '--config', file], s.io)).toBe(78);
    expect(s.err.join('')).toContain('has no `alerts:` section');
  });
});
