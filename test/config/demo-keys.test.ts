// config/embedded.yaml falls back to public demo keys: allowed only for the embedded demo, with a
// loud warning; an engine with Kafka or a PostgreSQL store refuses to start on them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { checkDemoKeys, demoKeysIn } from '../../src/config/demo-keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFileEngine, startKafkaEngine } from '../../src/app/start.js';
import { tempDir, writeConfig } from '../pipeline/helpers.js';

const EMBEDDED = join(import.meta.dirname, '../../config/embedded.yaml');
const DEMO_STORAGE = `storage:
  databaseUrl: postgres://postgres@127.0.0.1:5432/test
  masterKeys: \${SEGMENTLOOM_MASTER_KEYS:-1:c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA=}
  lookupKey: \${SEGMENTLOOM_LOOKUP_KEY:-c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE=}
`;

describe('public demo keys', () => {
  it('finds them in config/embedded.yaml when the variables are unset, and not when they are set', async () => {
    expect(demoKeysIn(await loadEngineConfig(EMBEDDED, {})).fields).toEqual(['storage.masterKeys', 'storage.lookupKey', 'hashing.keys[0].secret']);
    const real = await loadEngineConfig(EMBEDDED, {
      SEGMENTLOOM_MASTER_KEYS: `1:${Buffer.alloc(32, 7).toString('base64')}`,
      SEGMENTLOOM_LOOKUP_KEY: Buffer.alloc(32, 9).toString('base64'),
      SEGMENTLOOM_HASH_KEY: 'a-real-hash-key-of-some-length',
    });
    expect(demoKeysIn(real).fields).toEqual([]);
  });

  it('warns loudly in the embedded demo', async () => {
    const warnings: string[] = [];
    checkDemoKeys(await loadEngineConfig(EMBEDDED, {}), true, (m) => void warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/PUBLIC DEMO KEYS/);
  });

  it('refuses a file engine with a PostgreSQL store on them', async () => {
    const { config } = await writeConfig(`source: web\ndestinations: [{ name: w, topic: w }]\n${DEMO_STORAGE}`);
    const run = runFileEngine(config, { logger: silentLogger(), input: join(tempDir(), 'none.ndjson'), outDir: tempDir(), env: {} });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/storage\.masterKeys: the public demo keys/);
  });

  it('refuses a Kafka engine on them before connecting anywhere', async () => {
    const { config } = await writeConfig(
      `source: web\nkafka: { brokers: ["127.0.0.1:9"], topics: [in] }\ndestinations: [{ name: w, topic: w }]\n${DEMO_STORAGE.replace(/ {2}databaseUrl.*\n/, '')}`,
    );
    await expect(startKafkaEngine(config, { logger: silentLogger(), env: {} } as never)).rejects.toThrow(/public demo keys/);
  });
});
