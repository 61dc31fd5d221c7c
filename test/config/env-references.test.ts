// `${NAME}` references are resolved once, by one resolver, wherever configuration is read: the
// engine config (its `alerts:` section and the hashing secrets, inline or in the policy file), the
// config `segmentloom serve` reads, and `segmentloom alerts test`. Resolved values are used as they
// are from then on: compiling the policies (on a hot reload, in a worker thread) resolves nothing.
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../src/api/serve-config.js';
import { segmentloomAsync } from '../cli/helpers.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { failure, write } from './helpers.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { PolicyEngine } from '../../src/policy/index.js';

const HOOK_SECRET = 'whsec-0123456789abcdef';
const OTHER_SECRET = 'another-secret-that-must-not-leak';

/** The policy engine a hot reload (or a worker thread) builds from a loaded config. */
async function compiled(config: Awaited<ReturnType<typeof loadEngineConfig>>): Promise<PolicyEngine> {
  const { policy } = (await buildControls(config)).controls;
  expect(policy).toBeInstanceOf(PolicyEngine);
  return policy as PolicyEngine;
}

/** The documented pseudonym format: `hmac:v<version>:<base64url HMAC-SHA256>`. */
const pseudonym = (secret: string, version: number, text: string) => `hmac:v${version}:${createHmac('sha256', secret).update(text).digest('base64url')}`;

const ENGINE = (alerts: string, hashing = '') => `
storage: {}
inventory: {}
${hashing}
alerts:
  baseUrl: https://privacy.example.com
  channels:
${alerts}`;

// Variables a test puts in the process environment, to show they are not read.
const processVars: string[] = [];
function setProcessEnv(name: string, value: string): void {
  processVars.push(name);
  process.env[name] = value;
}
afterEach(() => {
  for (const name of processVars.splice(0)) delete process.env[name];
});

describe('environment references in the engine config', () => {
  it('read $${ as a literal ${ in alerts channel config', async () => {
    // Were the escaped text resolved again, these would come from the process environment.
    setProcessEnv('SL_HOOK_PATH', 'from-process-env');
    setProcessEnv('SL_ROUTING', 'from-process-env');
    const file = write(
      ENGINE(`
    - { name: hook, type: webhook, url: "https://hooks.example/$\${SL_HOOK_PATH}", secret: "whsec-$\${SL_HOOK_PATH}-0123456789" }
    - { name: pd, type: pagerduty, routingKey: "$\${SL_ROUTING}" }
`),
    );
    const config = await loadEngineConfig(file, {});
    expect(config.alerts!.channels[0]).toMatchObject({ url: 'https://hooks.example/${SL_HOOK_PATH}', secret: 'whsec-${SL_HOOK_PATH}-0123456789' });
    expect(config.alerts!.channels[1]).toMatchObject({ routingKey: '${SL_ROUTING}' });
  });

  it('read $${ as a literal ${ in hashing secrets, also when the policies are compiled', async () => {
    setProcessEnv('SL_LITERAL_KEY_NAME', 'from-process-env-0123456789');
    const secret = '${SL_LITERAL_KEY_NAME}';
    const file = write(`hashing: { current: 1, keys: [{ version: 1, secret: "$\${SL_LITERAL_KEY_NAME}" }] }\n`);
    const config = await loadEngineConfig(file, {});
    expect(config.policy.hashing!.keys[0]!.secret).toBe(secret);

    expect((await compiled(config)).pseudonymize('jane@example.com')).toBe(pseudonym(secret, 1, 'jane@example.com'));
  });

  it('read $${ as a literal ${ in the separate policy file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-env-refs-'));
    write(`hashing:\n  current: 2\n  keys:\n    - version: 2\n      secret: "key-$\${NOT_A_VARIABLE}-0123456789"\n`, 'policies.yaml', dir);
    const config = await loadEngineConfig(write('policyFile: policies.yaml\n', 'engine.yaml', dir), {});
    expect(config.policy.hashing!.keys[0]!.secret).toBe('key-${NOT_A_VARIABLE}-0123456789');
  });

  it('resolve a value once: a variable whose value contains ${…} or $${ is used literally', async () => {
    const env = {
      HOOK_SECRET: '${OTHER_SECRET}-0123456789',
      SLACK_URL: 'https://hooks.example/$${OTHER_SECRET}',
      HASH_KEY: '${OTHER_SECRET}-0123456789abcdef',
      OTHER_SECRET,
    };
    const file = write(
      ENGINE(
        `
    - { name: hook, type: webhook, url: "https://hooks.example/in", secret: "\${HOOK_SECRET}" }
    - { name: chat, type: slack, url: "\${SLACK_URL}" }
`,
        'hashing: { current: 1, keys: [{ version: 1, secret: "${HASH_KEY}" }] }',
      ),
    );
    const config = await loadEngineConfig(file, env);
    expect(config.alerts!.channels[0]).toMatchObject({ secret: env.HOOK_SECRET });
    expect(config.alerts!.channels[1]).toMatchObject({ url: env.SLACK_URL });
    expect(config.policy.hashing!.keys[0]!.secret).toBe(env.HASH_KEY);
    expect(JSON.stringify(config)).not.toContain(OTHER_SECRET);

    expect((await compiled(config)).pseudonymize('jane@example.com')).toBe(pseudonym(env.HASH_KEY, 1, 'jane@example.com'));
  });

  it('take fallbacks and treat empty variables as unset in every section', async () => {
    const file = write(
      ENGINE(
        `
    - { name: hook, type: webhook, url: "\${HOOK_URL:-https://hooks.example/default}", secret: "\${HOOK_SECRET}" }
`,
        'hashing: { current: 1, keys: [{ version: 1, secret: "${HASH_KEY:-fallback-key-0123456789}" }] }',
      ),
    );
    const config = await loadEngineConfig(file, { HOOK_URL: '', HOOK_SECRET, HASH_KEY: '' });
    expect(config.alerts!.channels[0]).toMatchObject({ url: 'https://hooks.example/default', secret: HOOK_SECRET });
    expect(config.policy.hashing!.keys[0]!.secret).toBe('fallback-key-0123456789');
  });

  it('read only the environment the loader is given', async () => {
    setProcessEnv('SL_ONLY_IN_PROCESS_ENV', HOOK_SECRET);
    const file = write(ENGINE(`    - { name: hook, type: webhook, url: "https://hooks.example/in", secret: "\${SL_ONLY_IN_PROCESS_ENV}" }\n`));
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.field).toBe('alerts.channels[0].secret');
  });

  it('name the file and the field of an unset variable, never a value', async () => {
    const env = { OTHER_SECRET, HOOK_SECRET };
    const file = write(ENGINE(`    - { name: hook, type: webhook, url: "https://hooks.example/\${HOOK_PATH}", secret: "\${HOOK_SECRET}" }\n`));
    const err = await failure(loadEngineConfig(file, env));
    expect(err.message).toBe(`${file}: alerts.channels[0].url: environment variable HOOK_PATH is not set (use \${HOOK_PATH:-default} for a fallback)`);
    expect(err.file).toBe(file);
    expect(err.field).toBe('alerts.channels[0].url');

    const dir = mkdtempSync(join(tmpdir(), 'sl-env-refs-'));
    const policyFile = write('hashing: { current: 1, keys: [{ version: 1, secret: "${HASH_KEY}" }] }\n', 'policies.yaml', dir);
    const inPolicy = await failure(loadEngineConfig(write('policyFile: policies.yaml\n', 'engine.yaml', dir), env));
    expect(inPolicy.message).toBe(`${policyFile}: hashing.keys[0].secret: environment variable HASH_KEY is not set (use \${HASH_KEY:-default} for a fallback)`);
    expect(inPolicy.file).toBe(policyFile);
    expect(inPolicy.field).toBe('hashing.keys[0].secret');
    for (const e of [err, inPolicy]) {
      expect(e.message).not.toContain(OTHER_SECRET);
      expect(e.message).not.toContain(HOOK_SECRET);
    }
  });

  it('report a short resolved secret by field, without the secret', async () => {
    const err = await failure(loadEngineConfig(write('hashing: { current: 1, keys: [{ version: 1, secret: "${HASH_KEY}" }] }\n'), { HASH_KEY: 'short-key' }));
    expect(err.field).toBe('hashing.keys[0].secret');
    expect(err.message).toContain('must be at least 16 characters');
    expect(err.message).not.toContain('short-key');
  });
});

describe('environment references in the alerts section, whoever reads it', () => {
  it('give the same resolved values to the engine and to `serve`', async () => {
    const env = { HOOK_SECRET: '${OTHER_SECRET}-0123456789', OTHER_SECRET };
    const file = write(ENGINE(`    - { name: hook, type: webhook, url: "https://hooks.example/$\${x}", secret: "\${HOOK_SECRET}" }\n`));
    const engine = await loadEngineConfig(file, env);
    const serve = await loadServeConfig(file, env);
    expect(serve.alerts).toEqual(engine.alerts);
    expect(serve.alerts!.channels[0]).toMatchObject({ url: 'https://hooks.example/${x}', secret: env.HOOK_SECRET });
  });

  it('give the same error for an unset variable in the engine, `serve` and `alerts test`', async () => {
    const file = write(ENGINE(`    - { name: hook, type: webhook, url: "https://hooks.example/in", secret: "\${HOOK_SECRET}" }\n`));
    const line = `${file}: alerts.channels[0].secret: environment variable HOOK_SECRET is not set (use \${HOOK_SECRET:-default} for a fallback)`;
    const env = { OTHER_SECRET };

    expect((await failure(loadEngineConfig(file, env))).message).toBe(line);
    const serve = await failure(loadServeConfig(file, env));
    expect(serve.message).toBe(line);
    expect(serve.field).toBe('alerts.channels[0].secret');
    // Through the binary (dist/, built first), as a person runs it.
    const cli = await segmentloomAsync(['alerts', 'test', 'hook', '--config', file], { env, timeoutMs: 60_000 });
    expect(cli.status).toBe(78);
    expect(cli.stderr).toBe(`segmentloom alerts: invalid configuration:\n${line}\n`);
  });
});
