// A destination that refuses writes (here: a topic whose max.message.bytes is too small for the
// events) must not lose or skip anything: nothing is committed, the partition is read again from
// the failed batch with a growing pause, and once the destination accepts writes every event
// arrives and the group commits to the end. Runs for both consumers behind the source seam.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { describeKafka } from '../helpers/kafka.js';
import { kafkaEngineHead } from './engine-harness.js';
import { sampleEvent, tempDir } from './helpers.js';
import { groupProgress, produce, testKafka, TopicReader, uniqueName, waitUntil } from './kafka-helpers.js';

describeKafka('redelivery after a failed send, on Kafka', () => {
  const kafka = testKafka();
  const engines: EngineHandle[] = [];
  const readers: TopicReader[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop().catch(() => {})));
    await Promise.all(readers.map((r) => r.stop().catch(() => {})));
  });

  describe.each(['platformatic', 'kafkajs'])('with the %s consumer', (consumer) => {
    it('commits nothing while a destination refuses writes, then delivers every event once it accepts them', async () => {
      const t = { input: uniqueName('redo-in'), warehouse: uniqueName('redo-wh'), ads: uniqueName('redo-ads'), dlq: uniqueName('redo-dlq') };
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            { topic: t.input, numPartitions: 2 },
            { topic: t.warehouse, numPartitions: 2 },
            // Every event is larger than this: the broker refuses them (MESSAGE_TOO_LARGE).
            { topic: t.ads, numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: '200' }] },
            { topic: t.dlq, numPartitions: 1 },
          ],
        });
        const groupId = uniqueName('redo-group');
        const file = join(tempDir(), 'engine.yaml');
        writeFileSync(
          file,
          `${kafkaEngineHead({ groupId, input: t.input, dlq: t.dlq, kafka: [`consumer: ${consumer}`] })}batch: { maxWaitMs: 50 }
reload: { enabled: false }
destinations:
  - { name: warehouse, topic: ${t.warehouse} }
  - { name: ads, topic: ${t.ads} }
`,
        );
        const N = 40;
        await produce(
          kafka,
          t.input,
          Array.from({ length: N }, (_, i) => ({ key: `user-${i % 7}`, value: JSON.stringify(sampleEvent({ messageId: `m-${i}`, userId: `user-${i % 7}` })) })),
        );
        const engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {} });
        engines.push(engine);

        await waitUntil(() => engine.totals.redeliveries >= 2, 60_000, 'redeliveries');
        expect(engine.totals.totals.eventsIn).toBe(0);
        expect((await groupProgress(kafka, groupId, t.input)).committed).toBe(0);
        expect((await admin.fetchTopicOffsets(t.ads)).reduce((sum, p) => sum + Number(p.high), 0)).toBe(0);

        await admin.alterConfigs({
          validateOnly: false,
          resources: [{ type: 2, name: t.ads, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }],
        });
        const reader = await new TopicReader(kafka, [t.warehouse, t.ads]).start();
        readers.push(reader);
        const ids = (topic: string) => new Set(reader.json(topic).map((e) => e.messageId));
        await waitUntil(() => ids(t.ads).size === N && ids(t.warehouse).size === N, 60_000, 'every event at both destinations');
        await waitUntil(
          async () => {
            const progress = await groupProgress(kafka, groupId, t.input);
            return progress.committed === progress.end;
          },
          30_000,
          'all offsets committed',
        );
        expect(engine.ready()).toBe(true);
        // Per-key order holds at the destination that never failed, redeliveries aside.
        const seen = new Map<string, number>();
        for (const event of reader.json(t.ads)) {
          const seq = Number(String(event.messageId).slice(2));
          expect(seq).toBeGreaterThan(seen.get(event.userId) ?? -1);
          seen.set(event.userId, seq);
        }
      } finally {
        await admin.disconnect();
      }
    }, 120_000);
  });
});
