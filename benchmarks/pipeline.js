#!/usr/bin/env node
// End-to-end pipeline throughput on a real broker: N (~1 KB) Segment events are pre-loaded into a
// topic, then one engine consumes them with every control on (block, hash, allow-list routing to
// 3 destinations, consent gating) and the clock runs until every output is acknowledged and every
// input offset committed. Run after `npm run build`:
//
//   node benchmarks/pipeline.js                 # starts a local broker unless KAFKA_BROKERS is set
//   BENCH_EVENTS=100000 BENCH_PARTITIONS=6 node benchmarks/pipeline.js   # default: 200k events, 4 partitions
//   BENCH_COMPRESSION=gzip BENCH_WORKERS=0 node benchmarks/pipeline.js   # output compression; processing in the consuming thread (default: batch.workers auto)
//   BENCH_CONSUMER=kafkajs node benchmarks/pipeline.js                   # input consumed by kafkajs (default: platformatic, the engine's)
//   BENCH_CPU_PROFILE=engine.cpuprofile node benchmarks/pipeline.js     # profile the engine's run (main thread)
//
//   BENCH_DEADLINE_S=300 node benchmarks/pipeline.js                    # fail past 300 s (default 600 s; also after 60 s without progress)
//
// Prints events/s in steady state (input events per second after the first 10% are through: group
// join and worker start-up excluded), the rate including them, and output messages/s. Target ≥ 20k events/s per engine process (issue 14; the earlier 30k was met on a faster host only).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadEngineConfig } from '../dist/config/load.js';
import { silentLogger } from '../dist/core/logger.js';
import { startKafkaEngine } from '../dist/app/start.js';
import { configYaml, event } from './pipeline-shape.js';
import { perSecond, target } from './targets.js';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
/** The run fails past this (default: 10 minutes, or 1 ms per event if more) or after 60 s without progress. */
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? Math.max(600, N / 1000)) * 1000;
const STALL_MS = 60_000;

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench:pipeline] ${msg}\n`);

async function brokers() {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS, stop: async () => {} };
  const { startKafka } = await import('../scripts/kafka-broker.js');
  log('KAFKA_BROKERS not set: starting a local broker');
  return startKafka({});
}

/** BENCH_CPU_PROFILE=FILE: a .cpuprofile of the engine's run only (not the pre-load), for DevTools. */
async function startProfiler() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    /** @param {string} file */
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      log(`CPU profile of the engine run written to ${file}`);
    },
  };
}

/** @param {import('kafkajs').Admin} admin @param {string} topic */
async function endOffsets(admin, topic) {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

async function main() {
  const broker = await brokers();
  const kafka = new Kafka({ clientId: 'bench', brokers: broker.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const id = randomUUID().slice(0, 8);
  const t = { input: `bench-in-${id}`, warehouse: `bench-wh-${id}`, analytics: `bench-an-${id}`, ads: `bench-ads-${id}`, dlq: `bench-dlq-${id}` };
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(t).map((topic) => ({ topic, numPartitions: topic === t.input ? PARTITIONS : PARTITIONS, replicationFactor: 1 })),
  });

  log(`pre-loading ${N} events into ${t.input} (${PARTITIONS} partitions)`);
  const producer = kafka.producer();
  await producer.connect();
  let bytes = 0;
  const expected = { warehouse: N, analytics: 0, ads: 0 };
  for (let i = 0; i < N; i += 600) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + 600); j++) {
      const value = JSON.stringify(event(j));
      bytes += value.length;
      if (j % 4 !== 0) expected.analytics++;
      if (j % 3 !== 0) expected.ads++;
      messages.push({ key: `user_${j % 5000}`, value });
    }
    await producer.send({ topic: t.input, acks: -1, messages });
  }
  await producer.disconnect();
  log(`loaded ${(bytes / N).toFixed(0)} bytes/event on average`);

  const dir = mkdtempSync(join(tmpdir(), 'segmentloom-bench-'));
  const file = join(dir, 'engine.yaml');
  writeFileSync(file, configYaml(broker.brokers, t, `bench-${id}`));
  const config = await loadEngineConfig(file, {});

  // Steady state: the rate over the events after the first 10% (group join, worker start-up and
  // the first fetches are behind by then).
  let seen = 0;
  let markAt = 0;
  let markEvents = 0;
  /** @type {import('../dist/pipeline/report.js').EngineObserver} */
  const observer = {
    onBatch: (report) => {
      seen += report.eventsIn;
      if (markAt === 0 && seen >= N / 10) {
        markAt = performance.now();
        markEvents = seen;
      }
    },
  };
  const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : null;
  const started = performance.now();
  const engine = await startKafkaEngine(config, { logger: silentLogger(), env: {}, observers: [observer] });
  // A stalled engine (a broker gone, a bug) must fail the run, not hang it: no progress for
  // STALL_MS, or past the deadline, ends it with what came through.
  let lastIn = 0;
  let lastProgress = performance.now();
  try {
    while (engine.totals.totals.eventsIn < N) {
      await new Promise((r) => setTimeout(r, 20));
      const now = performance.now();
      const eventsIn = engine.totals.totals.eventsIn;
      if (eventsIn !== lastIn) [lastIn, lastProgress] = [eventsIn, now];
      if (now - lastProgress > STALL_MS || now - started > DEADLINE_MS) {
        throw new Error(
          `${eventsIn} of ${N} events through after ${((now - started) / 1000).toFixed(0)}s (${now - lastProgress > STALL_MS ? `no progress for ${STALL_MS / 1000}s` : `deadline ${DEADLINE_MS / 1000}s`})`,
        );
      }
    }
  } catch (err) {
    await engine.stop().catch(() => {});
    await admin.disconnect().catch(() => {});
    await broker.stop();
    throw err;
  }
  const done = performance.now();
  if (profiler) await profiler.stop(/** @type {string} */ (process.env.BENCH_CPU_PROFILE));
  const outputs = { warehouse: await endOffsets(admin, t.warehouse), analytics: await endOffsets(admin, t.analytics), ads: await endOffsets(admin, t.ads) };
  await engine.stop();
  await admin.disconnect();

  const totalOut = outputs.warehouse + outputs.analytics + outputs.ads;
  for (const key of /** @type {(keyof typeof expected)[]} */ (Object.keys(expected))) {
    if (outputs[key] < expected[key]) throw new Error(`${key}: ${outputs[key]} outputs, expected ${expected[key]}`);
  }
  const steady = (done - markAt) / 1000;
  const wall = (done - started) / 1000;
  const result = {
    events: N,
    bytesPerEvent: Math.round(bytes / N),
    partitions: PARTITIONS,
    producer: config.kafka?.producer,
    consumer: config.kafka?.consumer,
    workers: config.batch.workers,
    partitionsConsumedConcurrently: config.batch.partitionsConsumedConcurrently,
    maxBytesPerPartition: config.batch.maxBytesPerPartition,
    outputs,
    batches: engine.totals.batches,
    secondsIncludingJoin: Number(wall.toFixed(2)),
    eventsPerSecondIncludingJoin: Math.round(N / wall),
    eventsPerSecond: Math.round((N - markEvents) / steady),
    outputMessagesPerSecond: Math.round((((N - markEvents) / N) * totalOut) / steady),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `pipeline: ${result.eventsPerSecond} events/s (${result.outputMessagesPerSecond} outputs/s; ${result.eventsPerSecondIncludingJoin} events/s including the group join)\n`,
  );
  target('pipeline steady state', result.eventsPerSecond, 20_000, perSecond);
  rmSync(dir, { recursive: true, force: true });
  await broker.stop();
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
