import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CLASSIFIERS, loadEngineConfig, topicSources } from '../../src/config/load.js';
import { failure, write } from './helpers.js';

const KEY = 'test-secret-0123456789abcdef';

describe('loadEngineConfig', () => {
  it('fills every default from an empty file', async () => {
    const file = write('');
    const config = await loadEngineConfig(file, {});
    expect(config.file).toBe(file);
    expect(config.source).toBe('default');
    expect(config.kafka).toBeUndefined();
    expect(config.decoding.format).toBe('json');
    expect(config.limits).toEqual({ maxBytes: 524288, maxDepth: 32, maxLeaves: 10000 });
    expect(config.deadLetter.topic).toBe('segmentloom.dead-letter');
    expect(config.classifiers).toEqual([BUILTIN_CLASSIFIERS]);
    expect(config.suppression).toEqual({ userIds: [], anonymousIds: [], fromStore: false, pollIntervalMs: 5000 });
    expect(config.storage).toBeUndefined();
    expect(config.inventory).toBeUndefined();
    expect(config.alerts).toBeUndefined();
    expect(config.review).toBeUndefined();
    expect(config.policy.destinations).toEqual([]);
    expect(config.batch.maxMessagesPerRequest).toBe(5000);
    expect(config.reload).toEqual({ enabled: true, debounceMs: 200, pollMs: 2000 });
  });

  it('reads kafka settings, topic sources and resolves paths against the file', async () => {
    const file = write(`
source: web
kafka:
  brokers: "a:9092, b:9092"
  topics: [events, { topic: mobile, source: ios }]
  fromBeginning: "true"
  ssl: { caFile: certs/ca.pem }
  sasl: { mechanism: scram-sha-512, username: u, password: p }
classifiers: [builtin, ./mine]
files: { input: in.ndjson }
`);
    const config = await loadEngineConfig(file, {});
    expect(config.kafka!.brokers).toEqual(['a:9092', 'b:9092']);
    expect(config.kafka!.fromBeginning).toBe(true);
    expect(config.kafka!.groupId).toBe('segmentloom');
    expect(config.kafka!.ssl).toMatchObject({ caFile: join(file, '..', 'certs/ca.pem'), rejectUnauthorized: true });
    expect(config.classifiers).toEqual([BUILTIN_CLASSIFIERS, join(file, '..', 'mine')]);
    expect(config.files).toEqual({ input: join(file, '..', 'in.ndjson'), outDir: join(file, '..', 'out') });
    expect([...topicSources(config)]).toEqual([
      ['events', 'web'],
      ['mobile', 'ios'],
    ]);
  });

  it('substitutes ${ENV} references, with fallbacks and numbers from strings', async () => {
    const file = write(`
kafka:
  brokers: \${BROKERS}
  topics: ["\${TOPIC:-events}"]
metrics: { port: "\${PORT}" }
hashing: { current: 1, keys: [{ version: 1, secret: "\${KEY}" }] }
source: literal-$\${NOT_A_REF}
`);
    const config = await loadEngineConfig(file, { BROKERS: 'k1:9092,k2:9092', PORT: '9999', KEY });
    expect(config.kafka!.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.kafka!.topics).toEqual(['events']);
    expect(config.metrics!.port).toBe(9999);
    expect(config.policy.hashing!.keys[0]!.secret).toBe(KEY);
    expect(config.source).toBe('literal-${NOT_A_REF}');
  });

  it('names the file, field and variable when an env reference is unset', async () => {
    const file = write('kafka:\n  brokers: ${MISSING_BROKERS}\n  topics: [t]\n');
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.message).toContain(file);
    expect(err.message).toContain('kafka.brokers');
    expect(err.message).toContain('MISSING_BROKERS');
    expect(err.field).toBe('kafka.brokers');
  });

  it('rejects unknown fields, naming them and their line', async () => {
    const file = write('source: x\nkafak:\n  brokers: [a]\n');
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.message).toMatch(/kafak: unknown field \(line 2\)/);
    const nested = await failure(loadEngineConfig(write('kafka:\n  brokers: [a]\n  topics: [t]\n  gropuId: g\n'), {}));
    expect(nested.message).toContain('kafka');
    expect(nested.message).toContain('gropuId');
  });

  it('consumes with kafkajs unless @platformatic/kafka is chosen, and produces only with the latter', async () => {
    const defaults = await loadEngineConfig(write('kafka: { brokers: "a:9092", topics: [events] }\n'), {});
    expect([defaults.kafka!.consumer, defaults.kafka!.producer]).toEqual(['platformatic', 'platformatic']);
    const chosen = await loadEngineConfig(write('kafka: { brokers: "a:9092", topics: [events], consumer: kafkajs }\n'), {});
    expect(chosen.kafka!.consumer).toBe('kafkajs');
  });

  it('refuses the retired kafkajs producer, saying why, and never repeats another value', async () => {
    const file = write('kafka:\n  brokers: "a:9092"\n  topics: [events]\n  producer: kafkajs\n');
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.message).toContain(`${file}: kafka.producer: kafkajs was retired`);
    expect(err.message).toContain('(line 4)');
    const other = await failure(loadEngineConfig(write('kafka: { brokers: "a:9092", topics: [events], producer: my-secret-client }\n'), {}));
    expect(other.message).toContain('kafka.producer: must be "platformatic"');
    expect(other.message).not.toContain('my-secret-client');
  });

  it('reports type errors with file, field and line, never the value', async () => {
    const file = write('limits:\n  maxDepth: deep-secret-value\n');
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.message).toContain(`${file}: limits.maxDepth:`);
    expect(err.message).toContain('(line 2)');
    expect(err.message).not.toContain('deep-secret-value');
  });

  it('requires a registry URL for the confluent format', async () => {
    const err = await failure(loadEngineConfig(write('decoding: { format: confluent }\n'), {}));
    expect(err.message).toContain('decoding.registryUrl');
    const ok = await loadEngineConfig(write('decoding: { format: confluent, registryUrl: "http://localhost:8081" }\n'), {});
    expect(ok.decoding.registryUrl).toBe('http://localhost:8081');
  });

  it('validates the policy sections with the policy engine schema', async () => {
    const file = write(`
policies:
  - name: p
    match: { classifications: [purple] }
    action: block
`);
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.message).toContain(file);
    expect(err.message).toContain('policies[0].match.classifications[0]');
  });

  it('does not echo YAML source text in syntax errors', async () => {
    const file = write('source: "unterminated secret-ish\nkafka: [\n');
    const err = await failure(loadEngineConfig(file, {}));
    expect(err.message).toContain(file);
    expect(err.message).toContain('invalid YAML');
    expect(err.message).not.toContain('secret-ish');
  });

  it('loads the policy sections from policyFile, and refuses them in both places', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-config-'));
    write('destinations:\n  - { name: wh, topic: wh-topic }\n', 'policies.yaml', dir);
    const config = await loadEngineConfig(write('policyFile: policies.yaml\n', 'engine.yaml', dir), {});
    expect(config.policyFile).toBe(join(dir, 'policies.yaml'));
    expect(config.policy.destinations.map((d) => d.topic)).toEqual(['wh-topic']);

    const both = await failure(loadEngineConfig(write('policyFile: policies.yaml\ndestinations: []\n', 'both.yaml', dir), {}));
    expect(both.message).toContain('destinations');
    write('destinations:\n  - { name: wh }\n', 'bad-policies.yaml', dir);
    const bad = await failure(loadEngineConfig(write('policyFile: bad-policies.yaml\n', 'e2.yaml', dir), {}));
    expect(bad.message).toContain(join(dir, 'bad-policies.yaml'));
    expect(bad.message).toContain('destinations[0].topic');
  });

  it('reports a missing file by path and code', async () => {
    const err = await failure(loadEngineConfig('/nonexistent/segmentloom.yaml', {}));
    expect(err.message).toContain('/nonexistent/segmentloom.yaml');
    expect(err.message).toContain('ENOENT');
  });

  it('loads the shipped example configs', async () => {
    const env = { SEGMENTLOOM_HASH_KEY: KEY };
    for (const name of ['segmentloom.example.yaml', 'segmentloom.docker.yaml', 'embedded.yaml']) {
      const config = await loadEngineConfig(join(import.meta.dirname, '../../config', name), env);
      expect(config.policy.destinations.length).toBeGreaterThan(0);
    }
  });
});
