// Fault: a three-node KRaft cluster (replication factor 3, min.insync.replicas=2); while events
// flow, the broker leading an input partition is killed with SIGKILL, then started again. Every
// input event must reach every destination it should, at least once, none reordered per key.
// Figures: events produced, delivered per destination, duplicates, losses, time to recover.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedKafkaJars, javaAvailable, mavenAvailable } from '../../scripts/kafka-broker.js';
import { startKafkaCluster, type KafkaCluster } from '../../scripts/kafka-cluster.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { policyYaml, sampleEvent, tempDir } from '../pipeline/helpers.js';
import { TopicReader, uniqueName, waitUntil } from '../pipeline/kafka-helpers.js';

const KEYS = 20;
const TOTAL = 3000;
const CHUNK = 50;

describe.skipIf(!(javaAvailable() && (mavenAvailable() || cachedKafkaJars())))(
  'SIGKILL of the partition leader in a 3-broker cluster (RF 3, min ISR 2)',
  () => {
    let cluster: KafkaCluster;
    let kafka: Kafka;
    let engine: EngineHandle | undefined;
    let reader: TopicReader | undefined;
    let producer: Producer | undefined;
    const t = {
      input: uniqueName('kill-in'),
      warehouse: uniqueName('kill-wh'),
      analytics: uniqueName('kill-an'),
      ads: uniqueName('kill-ads'),
      dlq: uniqueName('kill-dlq'),
    };

    beforeAll(async () => {
      cluster = await startKafkaCluster({ size: 3 });
      kafka = new Kafka({
        clientId: 'fault-test',
        brokers: cluster.brokers.split(','),
        logLevel: logLevel.NOTHING,
        retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        waitForLeaders: false,
        topics: Object.values(t).map((topic) => ({
          topic,
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        })),
      });
      // Right after the cluster forms, a node may not know a new partition yet: wait for every leader.
      await waitUntil(
        async () => {
          const meta = await admin.fetchTopicMetadata({ topics: Object.values(t) }).catch(() => undefined);
          return meta?.topics.every((topic) => topic.partitions.length === 3 && topic.partitions.every((p) => p.leader >= 0 && p.isr.length === 3)) === true;
        },
        60_000,
        'leaders and full ISRs for the new topics',
      );
      await admin.disconnect();
    }, 240_000);

    afterAll(async () => {
      await engine?.stop().catch(() => {});
      await reader?.stop().catch(() => {});
      await producer?.disconnect().catch(() => {});
      await cluster?.stop();
    });

    it('delivers every event to every destination at least once, in order per key, after the leader is killed and back', async () => {
      const dir = tempDir('sl-fault-kill-');
      const file = join(dir, 'engine.yaml');
      writeFileSync(
        file,
        `source: web
kafka:
  brokers: "${cluster.brokers}"
  groupId: ${uniqueName('kill-group')}
  topics: [${t.input}]
  fromBeginning: true
  sessionTimeoutMs: 10000
  heartbeatIntervalMs: 1000
  requestTimeoutMs: 10000
deadLetter: { topic: ${t.dlq} }
batch: { maxWaitMs: 50, workers: 0 }
${policyYaml(t)}`,
      );
      const logger = process.env.DBG ? createLogger({ level: 'warn' }) : silentLogger();
      engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger, env: {} });
      reader = await new TopicReader(kafka, [t.warehouse, t.analytics, t.ads, t.input]).start();
      const arrivals = new Map<string, number>();
      const arrived = () => {
        for (const e of reader!.json(t.warehouse)) if (!arrivals.has(e.messageId)) arrivals.set(e.messageId, Date.now());
      };

      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      const seqByKey = new Array<number>(KEYS).fill(0);
      let produced = 0;
      let killedAt = 0;
      let killedAtIndex = 0;
      let victim = 0;
      const produceChunk = async () => {
        const messages = Array.from({ length: CHUNK }, () => {
          const i = produced++;
          const k = i % KEYS;
          const seq = seqByKey[k]!++;
          return { key: `user-${k}`, value: JSON.stringify(sampleEvent({ messageId: `e-${i}`, userId: `user-${k}`, seq })) };
        });
        await producer!.send({ topic: t.input, acks: -1, messages });
      };

      while (produced < TOTAL) {
        await produceChunk();
        if (killedAt === 0 && produced >= TOTAL / 3) {
          // The broker leading input partition 0 goes down hard, mid-stream.
          const admin = kafka.admin();
          await admin.connect();
          const meta = await admin.fetchTopicMetadata({ topics: [t.input] });
          await admin.disconnect();
          victim = meta.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
          cluster.node(victim)!.kill('SIGKILL');
          killedAt = Date.now();
          killedAtIndex = produced;
        }
        if (killedAt !== 0 && !cluster.node(victim)!.alive() && Date.now() - killedAt > 15_000) {
          await cluster.node(victim)!.start();
        }
        arrived();
        await new Promise((r) => setTimeout(r, 20));
      }
      if (!cluster.node(victim)!.alive()) {
        await new Promise((r) => setTimeout(r, Math.max(0, 15_000 - (Date.now() - killedAt))));
        await cluster.node(victim)!.start();
      }
      const restartedAt = Date.now();

      const ids = (topic: string) => new Set(reader!.json(topic).map((e) => e.messageId as string));
      // What the engine is judged on is what the input topic holds: read it back until it stops growing.
      let inputIds = new Set<string>();
      await waitUntil(
        async () => {
          const before = ids(t.input).size;
          await new Promise((r) => setTimeout(r, 3000));
          inputIds = ids(t.input);
          return inputIds.size === before && before > 0;
        },
        120_000,
        'the input topic read back',
      );
      // Acknowledged by the test's kafkajs producer (idempotent, acks -1) yet absent from the topic: a
      // producer-side loss around the leader's death, reported apart from the engine's figures.
      const acknowledgedMissing = Array.from({ length: TOTAL }, (_, i) => `e-${i}`).filter((id) => !inputIds.has(id));
      await waitUntil(
        () => {
          arrived();
          return [t.warehouse, t.analytics, t.ads].every((topic) => {
            const got = ids(topic);
            return [...inputIds].every((id) => got.has(id));
          });
        },
        180_000,
        'every input event in every destination',
      ).catch((err: Error) => {
        const sizes = [t.warehouse, t.analytics, t.ads].map((topic) => ids(topic).size);
        throw new Error(
          `${err.message}: distinct per destination ${sizes.join('/')} of ${inputIds.size} in the input, engine totals ${JSON.stringify(engine!.totals.totals, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v))}`,
        );
      });
      // First event produced after the kill to come out of the engine: the stream flows again.
      const after = [...arrivals].filter(([id]) => Number(id.slice(2)) >= killedAtIndex).map(([, at]) => at);
      const recoverMs = Math.min(...after) - killedAt;

      const figures: Record<string, unknown> = {
        produced: TOTAL,
        inInput: inputIds.size,
        acknowledgedButMissingFromInput: acknowledgedMissing.length,
        killedBroker: victim,
        killedAfterEvents: killedAtIndex,
        downMs: restartedAt - killedAt,
        recoverMs,
      };
      for (const [name, topic] of Object.entries({ warehouse: t.warehouse, analytics: t.analytics, ads: t.ads })) {
        const all = reader.json(topic).map((e) => e.messageId as string);
        const distinct = new Set(all);
        const lost = [...inputIds].filter((id) => !distinct.has(id)).length;
        figures[name] = { delivered: all.length, distinct: distinct.size, duplicates: all.length - distinct.size, lost };
      }
      console.log(
        `[fault] kafka-leader-kill ${JSON.stringify(figures)}${acknowledgedMissing.length ? ` acknowledged but missing from the input: ${acknowledgedMissing.join(',')}` : ''}`,
      );
      for (const name of ['warehouse', 'analytics', 'ads']) expect((figures[name] as { lost: number }).lost).toBe(0);

      // Per-key order: within a key's partition, in offset order, first occurrences run in seq order.
      for (const topic of [t.warehouse, t.ads]) {
        const byKey = new Map<string, number[]>();
        const seen = new Set<string>();
        const sorted = [...reader.of(topic)].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
        for (const m of sorted) {
          const event = JSON.parse(String(m.value));
          if (seen.has(event.messageId)) continue;
          seen.add(event.messageId);
          byKey.set(String(m.key), [...(byKey.get(String(m.key)) ?? []), event.seq]);
        }
        for (const [key, seqs] of byKey) expect([key, seqs]).toEqual([key, [...seqs].sort((a, b) => a - b)]);
      }
      expect(engine.ready()).toBe(true);
    }, 420_000);
  },
);
