import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunningApi } from '../../src/api/server.js';
import { run as init } from '../../src/cli/commands/init.js';
import { run as keys } from '../../src/cli/commands/keys.js';
import { run as serve } from '../../src/cli/commands/serve.js';
import { CLASSIFIER_YAML, POLICY_YAML, tempDir } from './helpers.js';

function sink() {
  let text = '';
  return { stream: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
}

describe('segmentloom serve', () => {
  it('serves the config of an engine: keys from the CLI work, writes land in the watched places', async () => {
    const dir = tempDir('sl-serve-');
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'policies.yaml'), POLICY_YAML);
    writeFileSync(
      join(dir, 'engine.yaml'),
      'policyFile: policies.yaml\nclassifiers: [builtin, mine]\nalerts:\n  baseUrl: https://segmentloom.example\n  channels:\n    - { name: ops, type: slack, url: "${SLACK_URL}" }\n',
    );
    const env = {
      SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
      SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
      SLACK_URL: 'https://hooks.slack.example/services/secret',
    };
    const dataDir = join(dir, 'data');
    const out = sink();
    expect(await init(['--data-dir', dataDir], { stdout: sink().stream, stderr: sink().stream, env })).toBe(0);
    expect(await keys(['create', '--role', 'editor', '--name', 'ops', '--data-dir', dataDir], { stdout: out.stream, stderr: sink().stream, env })).toBe(0);
    const token = out.text().trim();

    const controller = new AbortController();
    let api: RunningApi | undefined;
    const logs = sink();
    const done = serve(
      ['--config', join(dir, 'engine.yaml'), '--port', '0', '--data-dir', dataDir, '--log-level', 'info'],
      { stdout: sink().stream, stderr: logs.stream, env },
      {
        signal: controller.signal,
        onListening: (running) => (api = running),
      },
    );
    await expect.poll(() => api, { timeout: 20_000 }).toBeDefined();
    try {
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${api!.url}/healthz`)).status).toBe(200);
      const channels = await fetch(`${api!.url}/alerts/channels`, { headers: auth });
      expect(await channels.json()).toEqual({ items: [{ name: 'ops', type: 'slack' }] });
      const put = await fetch(`${api!.url}/classifiers/loyalty_number`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/yaml' },
        body: CLASSIFIER_YAML,
      });
      expect(put.status).toBe(200);
      expect(api!.ctx.customClassifierDir).toBe(join(dir, 'mine'));
      expect((await fetch(`${api!.url}/keys`, { headers: auth })).status).toBe(403);
    } finally {
      controller.abort();
    }
    expect(await done).toBe(0);
    expect(logs.text()).toContain('control-plane API listening');
    expect(logs.text()).not.toContain('hooks.slack.example');
    expect(logs.text()).not.toContain(token);
  });

  it('checks its options before touching anything', async () => {
    const io = { stdout: sink().stream, stderr: sink().stream, env: {} };
    await expect(serve(['--config', 'x.yaml', '--tls-cert', 'c.pem'], io)).rejects.toThrow(/--tls-cert and --tls-key go together/);
    await expect(serve(['--config', 'x.yaml', '--port', '70000'], io)).rejects.toThrow(/--port/);
    await expect(serve([], io)).rejects.toThrow(/--config FILE is required/);
    await expect(serve(['--config', 'x.yaml', '--log-level', 'loud'], io)).rejects.toThrow(/--log-level/);
    await expect(serve(['--config', join(tempDir(), 'missing.yaml')], io)).rejects.toThrow(/cannot read the file/);
  });

  it('exits with the config status when the storage keys are missing', async () => {
    const dir = tempDir('sl-serve-keys-');
    writeFileSync(join(dir, 'engine.yaml'), 'classifiers: [builtin]\n');
    const err = sink();
    const code = await serve(['--config', join(dir, 'engine.yaml'), '--data-dir', join(dir, 'data')], { stdout: sink().stream, stderr: err.stream, env: {} });
    expect(code).toBe(78);
    expect(err.text()).toMatch(/SEGMENTLOOM_/);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
