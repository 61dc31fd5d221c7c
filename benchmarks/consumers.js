#!/usr/bin/env node
// The two input clients behind the engine's EventSource seam, raced through a real broker: N
// (~1 KB) Segment events are pre-loaded into a topic, then each source (kafkajs: KafkaSource;
// @platformatic/kafka: PlatformaticKafkaSource) joins a fresh group, reads the topic from the
// beginning and commits every batch, with the engine's batch defaults. No processing: this is the
// client's cost alone. Rounds alternate the two (A B A B …) so the machine's noise falls on both;
// the figure is the median of each, and their ratio. Run after `npm run build`:
//
//   node benchmarks/consumers.js                          # starts a local broker unless KAFKA_BROKERS is set
//   BENCH_EVENTS=100000 BENCH_ROUNDS=3 BENCH_PARTITIONS=4 node benchmarks/consumers.js
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSchema } from '../dist/config/schema.js';
import { silentLogger } from '../dist/core/logger.js';
import { KafkaSource } from '../dist/pipeline/kafka/source.js';
import { PlatformaticKafkaSource } from '../dist/pipeline/kafka/platformatic-source.js';
import { event } from './pipeline-shape.js';
import { perSecond } from './targets.js';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
const DEADLINE_MS = 300_000;
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench:consumers] ${msg}\n`);

async function brokers() {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS, stop: async () => {} };
  const { startKafka } = await import('../scripts/kafka-broker.js');
  log('KAFKA_BROKERS not set: starting a local broker');
  const broker = await startKafka({});
  return { brokers: broker.brokers, stop: () => broker.stop() };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * @param {string} name
 * @param {(groupId: string) => import('../dist/events/index.js').EventSource} makeSource
 */
async function consumeAll(name, makeSource) {
  const source = makeSource(`bench-consumers-${name}-${randomUUID().slice(0, 8)}`);
  let seen = 0;
  /** @type {(failure?: Error) => void} */
  let done;
  /** @type {Promise<Error | undefined>} */
  const finished = new Promise((resolve) => (done = resolve));
  const started = process.hrtime.bigint();
  await source.start(async (batch) => {
    seen += batch.messages.length;
    // As the loop does, after the outputs are acknowledged: here at once.
    void batch.commit().then(() => {
      if (seen >= N) done();
    });
  });
  const timer = setTimeout(() => done(new Error(`${name}: ${seen} of ${N} after ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
  const failure = await finished;
  clearTimeout(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await source.stop();
  if (failure instanceof Error) throw failure;
  // Start-up (group join) included: both clients pay it, and a consumer restarts with it.
  return N / seconds;
}

const { brokers: list, stop } = await brokers();
const brokerList = list.split(',');
const kafka = new Kafka({ clientId: 'bench-consumers', brokers: brokerList, logLevel: logLevel.NOTHING });
const topic = `bench-consumers-${randomUUID().slice(0, 8)}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
const producer = kafka.producer();
await producer.connect();
for (let i = 0; i < N; i += 1000) {
  const messages = [];
  for (let j = i; j < Math.min(N, i + 1000); j++) messages.push({ key: `user-${j % 1000}`, value: JSON.stringify(event(j)) });
  await producer.send({ topic, messages });
}
await producer.disconnect();
log(`${N} events in ${topic} (${PARTITIONS} partitions)`);

// The engine's batch defaults (config/schema.ts): 16 MiB per fetch, 2 MiB per partition, 4 partitions at once.
const common = {
  topics: [topic],
  fromBeginning: true,
  maxBytes: 16 * 1024 * 1024,
  maxBytesPerPartition: 2 * 1024 * 1024,
  maxWaitTimeInMs: 100,
  partitionsConsumedConcurrently: 4,
  logger: silentLogger(),
};
// A whole kafka section, as the engine hands it over (the source reads the connection settings).
const kafkaConfig = kafkaSchema.parse({
  clientId: 'bench-consumers',
  brokers: brokerList,
  topics: [topic],
  ssl: false,
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 30000,
});
/** @typedef {'kafkajs' | 'platformatic'} Contender */
/** @type {Record<Contender, (groupId: string) => import('../dist/events/index.js').EventSource>} */
const contenders = {
  kafkajs: (groupId) => new KafkaSource(kafka, { ...common, groupId }),
  platformatic: (groupId) => new PlatformaticKafkaSource(kafkaConfig, { ...common, groupId }),
};
/** @type {Record<Contender, number[]>} */
const rates = { kafkajs: [], platformatic: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of /** @type {Contender[]} */ (round % 2 === 0 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'])) {
      const rate = await consumeAll(name, contenders[name]);
      rates[name].push(rate);
      log(`round ${round + 1} ${name}: ${perSecond(rate)}`);
    }
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  await stop();
}
const k = median(rates.kafkajs);
const p = median(rates.platformatic);
console.log(`kafkajs (KafkaSource)                     ${perSecond(k).padStart(16)}  (median of ${ROUNDS})`);
console.log(`@platformatic/kafka (PlatformaticSource)  ${perSecond(p).padStart(16)}  (median of ${ROUNDS})`);
console.log(`platformatic / kafkajs: ${(p / k).toFixed(2)}x`);
