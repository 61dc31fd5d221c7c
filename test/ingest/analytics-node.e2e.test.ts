// The real @segment/analytics-node client, unchanged, pointed at the ingest, in front of the real
// pipeline engine on a real broker: every event arrives once in each destination topic, controlled.
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { createTopics, TopicReader, uniqueName } from '../pipeline/kafka-helpers.js';
import { expectedHash, tempDir, writeConfig } from '../pipeline/helpers.js';
import { startTestIngest, type TestIngest } from './helpers.js';

describeKafka('analytics-node through the ingest and the engine', () => {
  let s: TestIngest;
  let engine: EngineHandle;
  let reader: TopicReader;
  const warehouse = uniqueName('wh');
  const ads = uniqueName('ads');
  const dlq = uniqueName('dlq');

  beforeAll(async () => {
    s = await startTestIngest({ sources: [{ name: 'web' }] });
    await createTopics(s.kafka, [warehouse, ads, dlq]);
    const { file } = await writeConfig(
      `
source: unused
kafka:
  brokers: "${kafkaBrokers()}"
  groupId: ${uniqueName('engine')}
  topics: [{ topic: ${s.topic}, source: web }]
  fromBeginning: true
deadLetter: { topic: ${dlq} }
batch: { maxWaitMs: 50, workers: 0 }
reload: { enabled: false }
hashing:
  current: 1
  keys: [{ version: 1, secret: "ingest-test-hash-key-0123456789" }]
policies:
  - { name: block-secrets, match: { categories: [password] }, action: block }
  - { name: hash-email-for-ads, destinations: [ads], match: { categories: [email] }, action: hash }
destinations:
  - { name: warehouse, topic: ${warehouse} }
  - { name: ads, topic: ${ads} }
`,
      tempDir('sl-ingest-'),
    );
    engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {}, serveMetrics: false });
    reader = await new TopicReader(s.kafka, [warehouse, ads, dlq]).start();
  }, 180_000);
  afterAll(async () => {
    await reader?.stop().catch(() => {});
    await engine?.stop().catch(() => {});
    await s?.close();
  });

  it('batches of the stock client arrive once each in every destination, with the controls applied', async () => {
    const analytics = new Analytics({ writeKey: s.writeKey, host: s.url, flushAt: 20, flushInterval: 200, maxRetries: 5 });
    const responses: number[] = [];
    analytics.on('http_response', (r) => responses.push(r.status));
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    const n = 120;
    for (let i = 0; i < n; i++) {
      const userId = `user-${i % 7}`;
      if (i % 3 === 0) analytics.identify({ userId, traits: { email: `person${i}@example.com`, password: `hunter${i}`, plan: 'pro' } });
      else analytics.track({ userId, event: 'Order Completed', properties: { order_id: `o-${i}`, total: i } });
    }
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(errors).toEqual([]);
    expect(responses.length).toBeGreaterThanOrEqual(n / 20);
    expect(responses.every((status) => status === 200)).toBe(true);

    await reader.waitFor(() => reader.of(warehouse).length >= n && reader.of(ads).length >= n, 60_000, 'every event in both destinations');
    for (const topic of [warehouse, ads]) {
      const events = reader.json(topic);
      expect(events).toHaveLength(n);
      expect(new Set(events.map((e) => e.messageId)).size).toBe(n);
      for (const e of events) {
        expect(e.context.library.name).toBe('@segment/analytics-node');
        expect(e.receivedAt).toBeTypeOf('string');
        expect(e.traits?.password).toBeUndefined();
      }
    }
    const identified = reader.json(warehouse).filter((e) => e.type === 'identify');
    expect(identified).toHaveLength(n / 3);
    expect(identified.every((e) => /^person\d+@example\.com$/.test(e.traits.email))).toBe(true);
    for (const e of reader.json(ads).filter((e) => e.type === 'identify')) {
      expect(e.traits.email).toMatch(/^hmac:v1:/);
      expect(e.traits.email).not.toContain('@');
    }
    const first = reader.json(ads).find((e) => e.type === 'identify' && e.userId === 'user-0')!;
    expect(first.traits.email).toBe(expectedHash('person0@example.com', 'ingest-test-hash-key-0123456789'));
    expect(reader.of(dlq)).toHaveLength(0);
    // Keyed by userId: one user's events share a partition, in the order the client sent them.
    const byUser = new Map<string, Set<number>>();
    for (const m of s.reader.of(s.topic)) {
      const user = String(m.key);
      byUser.set(user, (byUser.get(user) ?? new Set()).add(m.partition));
    }
    for (const partitions of byUser.values()) expect(partitions.size).toBe(1);
  }, 120_000);
});
