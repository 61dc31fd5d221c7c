// Smoke test for the test broker itself (test/setup/kafka.global.ts): a real Kafka round trip with
// kafkajs — create a topic, produce 100 keyed messages, read them all back in a consumer group.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';

describeKafka('test Kafka broker', () => {
  const topic = `smoke-${randomUUID()}`;
  const groupId = `smoke-group-${randomUUID()}`;
  let kafka: Kafka;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  beforeAll(() => {
    // Right after start the broker answers "coordinator is loading" once or twice; kafkajs retries those
    // but logs them as errors, so its logger stays quiet here: failures surface as thrown errors.
    kafka = new Kafka({ clientId: 'segmentloom-smoke', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    if (admin) {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('describes a one-node cluster', async () => {
    admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).not.toBeNull();
  });

  it('creates a topic, produces 100 messages and consumes them all in a consumer group', async () => {
    admin ??= kafka.admin();
    await admin.connect();
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    expect(created).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);

    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 100 }, (_, i) => ({
      key: `user-${i % 7}`,
      value: JSON.stringify({ type: 'track', event: 'Smoke Test', messageId: `m-${i}`, properties: { seq: i } }),
      headers: { 'x-seq': String(i) },
    }));
    // Two batches, so the group also sees more than one produce request.
    await producer.send({ topic, messages: sent.slice(0, 50) });
    await producer.send({ topic, messages: sent.slice(50) });

    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ partition: number; offset: string; key: string; value: string; seq: string }> = [];
    const all = new Promise<void>((resolve) => {
      void consumer!.run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            seq: message.headers?.['x-seq']?.toString() ?? '',
          });
          if (received.length >= sent.length) resolve();
        },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`only ${received.length}/100 messages consumed in 45s`)), 45_000);
      }),
    ]).finally(() => clearTimeout(timer));

    expect(received).toHaveLength(100);
    // Every message came back exactly once, intact.
    const bySeq = new Map(received.map((r) => [Number(r.seq), r]));
    expect(bySeq.size).toBe(100);
    for (let i = 0; i < 100; i++) {
      const got = bySeq.get(i);
      expect(got?.key).toBe(sent[i]!.key);
      expect(JSON.parse(got!.value)).toEqual(JSON.parse(sent[i]!.value));
    }
    // Same key → same partition, in produce order.
    for (const key of new Set(sent.map((m) => m.key))) {
      const seqs = received.filter((r) => r.key === key).map((r) => Number(r.seq));
      expect(new Set(received.filter((r) => r.key === key).map((r) => r.partition)).size).toBe(1);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }

    // The group commits its offsets (kafkajs auto-commits after each batch): 100 in total.
    const committed = async (): Promise<number> => {
      const offsets = await admin!.fetchOffsets({ groupId, topics: [topic] });
      return offsets[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    };
    await expect.poll(committed, { timeout: 15_000, interval: 200 }).toBe(100);
  }, 90_000);
});
