#!/usr/bin/env node
// The production shape through a real broker, against a pass-through floor measured in the same
// run (issue 14). N (~1 KB) Segment events are pre-loaded into one topic; then, each with its own
// consumer group and output topics, one after another in this process:
//
//   floor       consume the topic and produce every message unchanged to three topics, with the
//               engine's client (@platformatic/kafka), acks -1, idempotent, commit after the acks
//               (pipelined per partition like the engine), no decoding at all
//   kafkajs     the engine without storage, consuming with kafkajs (the old consumer)
//   engine      the engine without storage, consuming with @platformatic/kafka (benchmarks/pipeline.js)
//   production  the engine with PostgreSQL storage (encrypted event store), the inventory and
//               alerts to a real HTTP webhook receiver on, block/hash/allow-list to three topics
//
// Targets: production >= 20k events/s and >= 0.5x the floor. Also checked: the inventory's writes
// do not grow with traffic (at most one inventory_points row write per point per flush, whatever
// the events; the flushes, counted by the engine's own metric, are printed with events per flush).
// Before them, `consume` reads the topic with each client alone (kafkajs vs @platformatic/kafka,
// two rounds in alternation, best of each).
//
//   node benchmarks/production.js             # KAFKA_BROKERS or a local broker; DATABASE_URL or postgres://postgres@127.0.0.1:5432/test
//   BENCH_EVENTS=200000 BENCH_PARTITIONS=4 BENCH_PHASES=floor,production node benchmarks/production.js
//
// Without a broker or a database the run is skipped with a message saying which (exit 0).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { loadEngineConfig } from '../dist/config/load.js';
import { silentLogger } from '../dist/core/logger.js';
import { createKafkaClient } from '../dist/pipeline/kafka/client.js';
import { KafkaSource } from '../dist/pipeline/kafka/source.js';
import { PlatformaticKafkaSink } from '../dist/pipeline/kafka/platformatic-sink.js';
import { PlatformaticKafkaSource } from '../dist/pipeline/kafka/platformatic-source.js';
import { startKafkaEngine } from '../dist/app/start.js';
import { configYaml, event } from './pipeline-shape.js';
import { perSecond, ratio, target } from './targets.js';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
const PHASES = (process.env.BENCH_PHASES ?? 'consume,floor,kafkajs,engine,production').split(',');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STALL_MS = 60_000;
const FLUSH_MS = 1000;

/** @typedef {import('../dist/config/schema.js').KafkaConfig} KafkaConfig */
/** @typedef {{ eventsPerSecond: number; seconds: number }} Rate */
/** @typedef {Rate & { consumer: string | undefined; workers: unknown }} EngineRun */
/**
 * @typedef {{ points: number; flushes: number; pointWrites: number; rowWrites: number; pointWritesPerRowWrite: number;
 *   rowWritesPer1kEvents: number; eventsPerFlush: number; flushesPerSecond: number }} InventoryFigures
 */
/** @typedef {EngineRun & { inventory?: InventoryFigures; alertRequests?: number; flushes?: { flushes: number; pointWrites: number } }} ProductionRun */
/**
 * @typedef {object} Results
 * @property {{ kafkajs: number; platformatic: number; rounds: Record<'kafkajs' | 'platformatic', Rate[]> }} [consume]
 * @property {Rate} [floor]
 * @property {EngineRun} [kafkajs]
 * @property {EngineRun} [engine]
 * @property {ProductionRun} [production]
 */
/** @typedef {{ input: string; warehouse: string; analytics: string; ads: string; dlq: string }} Topics */

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench:production] ${msg}\n`);

async function brokers() {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS, stop: async () => {} };
  const { startKafka } = await import('../scripts/kafka-broker.js');
  log('KAFKA_BROKERS not set: starting a local broker');
  return startKafka({});
}

async function database() {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  return client;
}

/**
 * Waits until `progress()` reaches N; fails after STALL_MS without progress.
 * @param {() => number} progress
 * @param {string} label
 */
async function until(progress, label) {
  let last = -1;
  let lastAt = performance.now();
  for (;;) {
    const now = performance.now();
    const value = progress();
    if (value >= N) return;
    if (value !== last) [last, lastAt] = [value, now];
    if (now - lastAt > STALL_MS) throw new Error(`${label}: ${value} of ${N} events through, no progress for ${STALL_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Steady-state rate: events per second after the first 10% are through (group join excluded). */
function clock() {
  let seen = 0;
  let markAt = 0;
  let markEvents = 0;
  const started = performance.now();
  return {
    /** @param {number} n */
    add(n) {
      seen += n;
      if (markAt === 0 && seen >= N / 10) [markAt, markEvents] = [performance.now(), seen];
    },
    get seen() {
      return seen;
    },
    result() {
      const done = performance.now();
      return { eventsPerSecond: Math.round((seen - markEvents) / ((done - markAt) / 1000)), seconds: Number(((done - started) / 1000).toFixed(2)) };
    },
  };
}

/**
 * Consuming alone (count, commit, nothing produced) with each client's source, in alternation.
 * @param {string} b brokers
 * @param {Topics} t
 * @param {'kafkajs' | 'platformatic'} client
 * @param {number} round
 */
async function consumeOnly(b, t, client, round) {
  // Only the connection fields: the clients read nothing else of a KafkaConfig here.
  const kafkaConfig = /** @type {KafkaConfig} */ (
    /** @type {unknown} */ ({ brokers: b.split(','), clientId: `bench-consume-${client}`, connectionTimeoutMs: 3000, requestTimeoutMs: 30000, ssl: false })
  );
  const options = {
    groupId: `consume-${client}-${round}-${t.input}`,
    topics: [t.input],
    fromBeginning: true,
    maxWaitTimeInMs: 50,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    partitionsConsumedConcurrently: 4,
    logger: silentLogger(),
  };
  const source =
    client === 'kafkajs' ? new KafkaSource(createKafkaClient(kafkaConfig, silentLogger()), options) : new PlatformaticKafkaSource(kafkaConfig, options);
  const c = clock();
  await source.start(async (batch) => {
    await batch.commit();
    c.add(batch.messages.length);
  });
  await until(() => c.seen, `consume ${client}`);
  const result = c.result();
  await source.pause();
  await source.stop();
  return result;
}

/**
 * The pass-through floor: the same client, acks and commits as the engine, and no processing.
 * @param {string} b brokers
 * @param {Topics} t
 * @returns {Promise<Rate>}
 */
async function floor(b, t) {
  // Only the connection fields: the clients read nothing else of a KafkaConfig here.
  const kafka = /** @type {KafkaConfig} */ (
    /** @type {unknown} */ ({
      brokers: b.split(','),
      clientId: 'bench-floor',
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30000,
      ssl: false,
      compression: 'none',
    })
  );
  const sink = new PlatformaticKafkaSink(kafka, { maxBytesPerRequest: 900_000 });
  await sink.connect();
  const source = new PlatformaticKafkaSource(kafka, {
    groupId: `floor-${t.input}`,
    topics: [t.input],
    fromBeginning: true,
    maxWaitTimeInMs: 50,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    partitionsConsumedConcurrently: 4,
    logger: silentLogger(),
  });
  const c = clock();
  const lanes = new Map();
  await source.start(async (batch) => {
    const outputs = batch.messages.map((m) => ({ key: m.key, value: m.value }));
    const lane = lanes.get(batch.partition) ?? { tail: Promise.resolve(), pending: 0 };
    lanes.set(batch.partition, lane);
    // Like the engine's lanes: sent and committed in order, while the next batch is fetched.
    if (lane.pending >= 2) await lane.tail;
    lane.pending++;
    lane.tail = lane.tail.then(async () => {
      await sink.sendMany([t.warehouse, t.analytics, t.ads].map((target) => ({ target, messages: outputs })));
      await batch.commit();
      lane.pending--;
      c.add(outputs.length);
    });
  });
  await until(() => c.seen, 'floor');
  const result = c.result();
  await source.pause();
  await source.stop();
  await sink.close();
  return result;
}

/**
 * @param {string} file
 * @returns {Promise<EngineRun>}
 */
async function engine(file, extra = {}) {
  const config = await loadEngineConfig(file, {});
  const c = clock();
  const handle = await startKafkaEngine(config, {
    logger: silentLogger(),
    env: {},
    observers: [{ onBatch: (report) => c.add(report.eventsIn) }],
    serveMetrics: false,
  });
  let result;
  /** @type {{ flushes: number; pointWrites: number } | undefined} */
  let flushes;
  try {
    await until(() => handle.totals.totals.eventsIn, file);
    result = c.result();
    // The inventory's own count of its flushes and the point rows they wrote (production only).
    /** @param {string} name */
    const counter = async (name) => (await handle.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
    const n = await counter('segmentloom_inventory_flushes_total');
    if (n !== undefined) flushes = { flushes: n, pointWrites: (await counter('segmentloom_inventory_point_writes_total')) ?? 0 };
  } finally {
    await handle.stop();
  }
  return { ...result, consumer: config.kafka?.consumer, workers: config.batch.workers, ...(flushes && { flushes }), ...extra };
}

/** @param {string} id @param {string} phase @returns {Topics} */
function topics(id, phase) {
  return {
    input: `bench-in-${id}`,
    warehouse: `bench-${phase}-wh-${id}`,
    analytics: `bench-${phase}-an-${id}`,
    ads: `bench-${phase}-ads-${id}`,
    dlq: `bench-${phase}-dlq-${id}`,
  };
}

async function main() {
  let broker;
  try {
    broker = await brokers();
  } catch (err) {
    log(`skipped: no Kafka broker could start (${/** @type {Error} */ (err).message}); set KAFKA_BROKERS to run it`);
    return;
  }
  let db;
  try {
    db = await database();
  } catch (err) {
    log(
      `skipped: no PostgreSQL at DATABASE_URL (${/** @type {NodeJS.ErrnoException} */ (err).code ?? /** @type {Error} */ (err).message}); set DATABASE_URL to run it`,
    );
    await broker.stop();
    return;
  }
  const kafka = new Kafka({ clientId: 'bench', brokers: broker.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const id = randomUUID().slice(0, 8);
  const all = PHASES.flatMap((phase) => Object.values(topics(id, phase)));
  await admin.createTopics({ waitForLeaders: true, topics: [...new Set(all)].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })) });

  log(`pre-loading ${N} events into bench-in-${id} (${PARTITIONS} partitions)`);
  const producer = kafka.producer();
  await producer.connect();
  let bytes = 0;
  for (let i = 0; i < N; i += 600) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + 600); j++) {
      const value = JSON.stringify(event(j));
      bytes += value.length;
      messages.push({ key: `user_${j % 5000}`, value });
    }
    await producer.send({ topic: `bench-in-${id}`, acks: -1, messages });
  }
  await producer.disconnect();

  // A real webhook receiver: the alerts on new data points reach it over HTTP.
  let alerts = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      alerts++;
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(undefined)));
  const schema = `bench_production_${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'segmentloom-bench-production-'));
  /** @type {Results} */
  const results = {};
  // The machine is shared: the load around the run says how much the absolute figures mean.
  /** @type {{ before: number[]; after?: number[] }} */
  const load = { before: loadavg().map((n) => Number(n.toFixed(2))) };
  try {
    for (const phase of PHASES) {
      const t = topics(id, phase);
      log(`${phase}: running`);
      if (phase === 'consume') {
        /** @type {Record<'kafkajs' | 'platformatic', Rate[]>} */
        const rounds = { kafkajs: [], platformatic: [] };
        for (let round = 0; round < 2; round++) {
          for (const client of /** @type {const} */ (['kafkajs', 'platformatic'])) rounds[client].push(await consumeOnly(broker.brokers, t, client, round));
        }
        /** @param {Rate[]} list */
        const best = (list) => Math.max(...list.map((r) => r.eventsPerSecond));
        results.consume = { kafkajs: best(rounds.kafkajs), platformatic: best(rounds.platformatic), rounds };
        log(`consume: ${JSON.stringify(results.consume)}`);
        continue;
      }
      if (phase === 'floor') {
        results.floor = await floor(broker.brokers, t);
        log(`floor: ${JSON.stringify(results.floor)}`);
        continue;
      }
      const file = join(dir, `${phase}.yaml`);
      const storage =
        phase === 'production'
          ? `storage:
  databaseUrl: "${DATABASE_URL}"
  schema: ${schema}
  masterKeys: "1:${randomBytes(32).toString('base64')}"
  lookupKey: "${randomBytes(32).toString('base64')}"
  retention: { default: 30d }
inventory: { flushIntervalMs: ${FLUSH_MS} }
alerts:
  baseUrl: http://127.0.0.1:8080
  channels:
    - name: bench
      type: webhook
      url: http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (receiver.address()).port}/alerts
      secret: benchmark-webhook-secret-0123456789
`
          : '';
      const consumer = phase === 'kafkajs' ? 'kafkajs' : 'platformatic';
      writeFileSync(file, configYaml(broker.brokers, t, `bench-${phase}-${id}`, storage, { consumer }));
      const run = await engine(file);
      results[/** @type {'kafkajs' | 'engine' | 'production'} */ (phase)] = run;
      log(`${phase}: ${JSON.stringify(run)}`);
      if (phase === 'production') {
        /** @type {ProductionRun} */
        const production = run;
        // Statistics reach pg_stat after the engine's connections closed; give them a moment.
        await new Promise((r) => setTimeout(r, 1500));
        const stat = await db.query(
          `SELECT n_tup_ins + n_tup_upd AS writes, n_live_tup AS rows FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'inventory_points'`,
          [schema],
        );
        const points = await db.query(`SELECT count(*)::int AS n FROM "${schema}".inventory_points`);
        const writes = Number(stat.rows[0]?.writes ?? NaN);
        const flushes = production.flushes?.flushes ?? Number.NaN;
        const pointWrites = production.flushes?.pointWrites ?? Number.NaN;
        production.inventory = {
          points: points.rows[0].n,
          flushes,
          pointWrites,
          rowWrites: writes,
          pointWritesPerRowWrite: Number((pointWrites / writes).toFixed(2)),
          rowWritesPer1kEvents: Number(((writes / N) * 1000).toFixed(2)),
          eventsPerFlush: Math.round(N / flushes),
          flushesPerSecond: Number((flushes / production.seconds).toFixed(1)),
        };
        production.alertRequests = alerts;
      }
    }
  } finally {
    receiver.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await db.end();
    await admin.deleteTopics({ topics: [...new Set(all)] }).catch(() => {});
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
    await broker.stop();
  }

  const after = loadavg().map((n) => Number(n.toFixed(2)));
  load.after = after;
  process.stdout.write(`${JSON.stringify({ events: N, bytesPerEvent: Math.round(bytes / N), partitions: PARTITIONS, load, ...results }, null, 2)}\n`);
  process.stdout.write(`  load average (1, 5, 15 min): ${load.before.join(', ')} before, ${after.join(', ')} after\n`);
  for (const phase of PHASES)
    if (phase !== 'consume') {
      const run = /** @type {Rate} */ (results[/** @type {'floor' | 'kafkajs' | 'engine' | 'production'} */ (phase)]);
      process.stdout.write(`  ${phase}: ${perSecond(run.eventsPerSecond)} (${run.seconds}s for ${N} events)\n`);
    }
  if (results.consume)
    process.stdout.write(
      `  consume only (best of 2): @platformatic/kafka ${perSecond(results.consume.platformatic)}, kafkajs ${perSecond(results.consume.kafkajs)} (${ratio(2)(results.consume.platformatic / results.consume.kafkajs)})\n`,
    );
  if (results.kafkajs && results.engine)
    process.stdout.write(
      `  consumer: @platformatic/kafka ${ratio(2)(results.engine.eventsPerSecond / results.kafkajs.eventsPerSecond)} kafkajs (engine without storage)\n`,
    );
  if (results.production) {
    target('production shape (Kafka, 3 destinations, PostgreSQL, inventory, alerts)', results.production.eventsPerSecond, 20_000, perSecond);
    if (results.floor) target('production shape / pass-through floor', results.production.eventsPerSecond / results.floor.eventsPerSecond, 0.5, ratio(2));
    // What storage, inventory and alerts cost on top of detection and enforcement (no target).
    if (results.engine)
      process.stdout.write(
        `  production shape / engine without storage: ${ratio(2)(results.production.eventsPerSecond / results.engine.eventsPerSecond)}${results.floor ? `; engine without storage / floor: ${ratio(2)(results.engine.eventsPerSecond / results.floor.eventsPerSecond)}` : ''}\n`,
      );
    // Bounded by points x flushes, whatever the traffic: at most one row write per point per flush,
    // and flushes follow one another (batches settling together share one), not the events.
    const inv = results.production.inventory;
    target(
      'inventory: point writes counted by its flushes per row write (>= 1: never more than one write per point per flush)',
      inv?.pointWritesPerRowWrite ?? Number.NaN,
      1,
      ratio(2),
    );
    if (inv)
      process.stdout.write(
        `  inventory: ${inv.flushes} flushes (${inv.flushesPerSecond}/s, ${inv.eventsPerFlush} events each) of ${inv.points} points: ${inv.rowWritesPer1kEvents} row writes per 1k events\n`,
      );
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
