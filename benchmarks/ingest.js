#!/usr/bin/env node
// HTTP ingest throughput per process, through to the broker: batches of ~1 KB Segment events are
// posted by concurrent keep-alive clients (another process) for a fixed time; an event counts once
// its batch got a 200, which the ingest sends only after the broker acknowledged it (acks=all).
// Beside it, the floor: a bare fastify route parsing the same bodies and producing the items
// unchanged through the same producer. Rounds alternate floor/ingest (this machine is shared).
// Run after `npm run build`:
//
//   node benchmarks/ingest.js            # starts a local broker unless KAFKA_BROKERS is set; write keys in
//                                        # DATABASE_URL's PostgreSQL (own schema) or an embedded PGlite
//   BENCH_SECONDS=8 BENCH_ROUNDS=2 BENCH_BATCH=200 BENCH_CONCURRENCY=8 node benchmarks/ingest.js
//
// Prints accepted events/s of each, their ratio (target ≥ 0.7x) and the ingest's events/s (target ≥ 20k).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench:ingest] ${msg}\n`);

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();

// ---------------------------------------------------------------- the server process (one per round)

/** @param {string | undefined} mode */
async function serve(mode) {
  const { kafkaSchema } = await import('../dist/config/schema.js');
  const { PlatformaticKafkaSink } = await import('../dist/pipeline/kafka/platformatic-sink.js');
  const { silentLogger } = await import('../dist/core/logger.js');
  const env = process.env;
  const sink = new PlatformaticKafkaSink(kafkaSchema.parse({ brokers: env.BENCH_BROKERS, groupId: 'unused', topics: ['unused'] }));
  await sink.connect();
  let app;
  if (mode === 'floor') {
    // The same producer behind the same queue as the ingest (an idempotent producer takes one send
    // at a time; concurrent first sends race its initialisation): the difference is the ingest's work.
    const { ProduceQueue } = await import('../dist/ingest/produce-queue.js');
    const queue = new ProduceQueue(sink, 64 * 1024 * 1024);
    const Fastify = (await import('fastify')).default;
    app = Fastify({ bodyLimit: 1024 * 1024 });
    app.post('/v1/batch', async (req) => {
      const items = /** @type {{ batch: { userId?: string; anonymousId: string }[] }} */ (req.body).batch;
      let bytes = 0;
      const messages = items.map((e) => {
        const value = JSON.stringify(e);
        bytes += value.length;
        return { key: e.userId ?? e.anonymousId, value };
      });
      await queue.produce(/** @type {string} */ (env.BENCH_TOPIC), messages, bytes);
      return { success: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } else {
    const { openDb } = await import('../dist/storage/open.js');
    const { parseIngestConfig } = await import('../dist/config/ingest-schema.js');
    const { startIngest } = await import('../dist/ingest/server.js');
    const { WriteKeyStore } = await import('../dist/ingest/write-keys.js');
    const db = await openDb(
      env.BENCH_DB_URL ? { url: env.BENCH_DB_URL, schema: env.BENCH_DB_SCHEMA, poolSize: 4 } : { dataDir: env.BENCH_DB_DIR, create: false },
    );
    const ingest = await startIngest({
      config: parseIngestConfig({ port: 0, topic: env.BENCH_TOPIC, sources: [{ name: 'bench' }] }),
      sink,
      writeKeys: new WriteKeyStore(db),
      logger: silentLogger(),
    });
    app = ingest.app;
  }
  process.stdout.write(`PORT ${/** @type {import('node:net').AddressInfo} */ (app.server.address()).port}\n`);
  process.on('SIGTERM', async () => {
    await app.close();
    await sink.close();
    process.exit(0);
  });
}

// ---------------------------------------------------------------- the load generator and report

/**
 * One ~1 KB event as analytics.js/analytics-node would send it; fields vary per event.
 * @param {string} run
 * @param {number} n
 */
function eventJson(run, n) {
  const user = n % 5000;
  return JSON.stringify({
    type: n % 5 === 0 ? 'identify' : 'track',
    event: 'Product Viewed',
    messageId: `${run}-${n}`,
    userId: `user_${user}`,
    anonymousId: `anon-${(n * 7919) % 100000}`,
    timestamp: new Date(1718096400000 + n * 37).toISOString(),
    context: {
      library: { name: 'analytics.js', version: '4.1.0' },
      locale: 'en-US',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36',
      page: {
        path: `/products/${n % 900}`,
        url: `https://shop.example.com/products/${n % 900}`,
        title: 'Product',
        referrer: 'https://www.example.org/search?q=boots',
      },
      campaign: { name: 'spring', source: 'newsletter', medium: 'email' },
    },
    traits: n % 5 === 0 ? { email: `person${user}@example.net`, plan: 'pro', logins: n % 40 } : undefined,
    properties: {
      product_id: `sku-${n % 3000}`,
      name: 'Trail Boot',
      price: (n % 200) + 0.99,
      currency: 'EUR',
      category: 'Footwear',
      variant: 'brown',
      position: n % 20,
      in_stock: n % 7 !== 0,
      image_url: `https://cdn.example.com/img/sku-${n % 3000}/large.jpg`,
      url: `https://shop.example.com/p/sku-${n % 3000}?utm_source=newsletter&utm_medium=email`,
      coupon: n % 9 === 0 ? 'SPRING10' : null,
      rating: { average: 4.4, count: n % 500 },
    },
  });
}

/**
 * @param {number} port
 * @param {string | null} writeKey
 * @param {string} run
 */
async function load(port, writeKey, run) {
  const auth = writeKey ? `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` : undefined;
  let counter = 0;
  let accepted = 0;
  /** @type {Record<number, number>} */
  const refused = {};
  const end = Date.now() + SECONDS * 1000;
  const started = Date.now();
  async function client() {
    while (Date.now() < end) {
      const parts = new Array(BATCH);
      for (let i = 0; i < BATCH; i++) parts[i] = eventJson(run, counter++);
      const body = `{"batch":[${parts.join(',')}],"sentAt":"${new Date().toISOString()}"}`;
      const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 200) accepted += BATCH;
      else refused[res.status] = (refused[res.status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return { accepted, refused, perSecond: accepted / ((Date.now() - started) / 1000) };
}

/**
 * @param {string} mode
 * @param {NodeJS.ProcessEnv} env
 */
async function startServer(mode, env) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  /** @type {number} */
  const port = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
      const m = /PORT (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** @param {Kafka} kafka @param {string} topic */
async function topicCount(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  let broker = { brokers: process.env.KAFKA_BROKERS, stop: async () => {} };
  if (!broker.brokers) {
    const { startKafka } = await import('../scripts/kafka-broker.js');
    log('KAFKA_BROKERS not set: starting a local broker');
    broker = await startKafka({});
  }
  const kafka = new Kafka({ clientId: 'bench-ingest', brokers: /** @type {string} */ (broker.brokers).split(','), logLevel: logLevel.NOTHING });
  const suffix = randomBytes(4).toString('hex');
  const topics = { floor: `bench-ingest-floor-${suffix}`, ingest: `bench-ingest-${suffix}` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 4, replicationFactor: 1 })) });
  await admin.disconnect();

  const { openDb } = await import('../dist/storage/open.js');
  const { WriteKeyStore } = await import('../dist/ingest/write-keys.js');
  const schema = `bench_ingest_${suffix}`;
  const dbDir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'sl-bench-ingest-'));
  const db = await openDb(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, schema } : { dataDir: /** @type {string} */ (dbDir) });
  const { writeKey } = await new WriteKeyStore(db).create(db, { source: 'bench', createdBy: null });
  await db.close();
  /** @type {NodeJS.ProcessEnv} */
  const dbEnv = process.env.DATABASE_URL
    ? { BENCH_DB_URL: process.env.DATABASE_URL, BENCH_DB_SCHEMA: schema }
    : { BENCH_DB_DIR: /** @type {string} */ (dbDir) };

  /** @type {Record<'floor' | 'ingest', Awaited<ReturnType<typeof load>>[]>} */
  const results = { floor: [], ingest: [] };
  /** @type {Record<'floor' | 'ingest', number>} */
  const totals = { floor: 0, ingest: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of /** @type {const} */ (['floor', 'ingest'])) {
        const server = await startServer(mode, { BENCH_BROKERS: broker.brokers, BENCH_TOPIC: topics[mode], ...dbEnv });
        await loadFor(server.port, mode === 'ingest' ? writeKey : null, `warm-${mode}-${round}`, 1);
        const result = await load(server.port, mode === 'ingest' ? writeKey : null, `${mode}-${round}`);
        await server.stop();
        results[mode].push(result);
        log(
          `round ${round + 1} ${mode}: ${Math.round(result.perSecond).toLocaleString('en-US')} events/s (refused requests by status: ${JSON.stringify(result.refused)})`,
        );
      }
    }
    for (const mode of /** @type {const} */ (['floor', 'ingest'])) totals[mode] = await topicCount(kafka, topics[mode]);
  } finally {
    if (process.env.DATABASE_URL) {
      const db2 = await openDb({ url: process.env.DATABASE_URL });
      await db2.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await db2.close();
    } else rmSync(/** @type {string} */ (dbDir), { recursive: true, force: true });
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    await cleanup.disconnect();
    await broker.stop();
  }

  /** @param {{ perSecond: number }[]} list */
  const best = (list) => Math.max(...list.map((r) => r.perSecond));
  const floor = best(results.floor);
  const ingest = best(results.ingest);
  const acceptedIngest = results.ingest.reduce((s, r) => s + r.accepted, 0);
  const acceptedFloor = results.floor.reduce((s, r) => s + r.accepted, 0);
  console.log(`HTTP ingest, batches of ${BATCH} (~1 KB events), ${CONCURRENCY} concurrent clients, ${ROUNDS} x ${SECONDS} s rounds, best round of each:`);
  console.log(`  floor (bare fastify route, parse + produce unchanged): ${Math.round(floor).toLocaleString('en-US')} events/s`);
  console.log(`  segmentloom ingest (auth, validation, dedup, acks=all): ${Math.round(ingest).toLocaleString('en-US')} events/s`);
  console.log(
    `  ratio ingest/floor: ${(ingest / floor).toFixed(2)}x (target >= 0.7x); ingest target >= 20,000 events/s: ${ingest >= 20_000 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  in the topics (warm-up included): floor ${totals.floor.toLocaleString('en-US')} for ${acceptedFloor.toLocaleString('en-US')} counted, ingest ${totals.ingest.toLocaleString('en-US')} for ${acceptedIngest.toLocaleString('en-US')} counted`,
  );
}

/**
 * A short warm-up (JIT, connections), not counted.
 * @param {number} port
 * @param {string | null} writeKey
 * @param {string} run
 * @param {number} seconds
 */
async function loadFor(port, writeKey, run, seconds) {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) {
    const body = `{"batch":[${Array.from({ length: BATCH }, () => eventJson(run, n++)).join(',')}]}`;
    const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(writeKey ? { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` } : {}) },
      body,
    });
    await res.arrayBuffer();
  }
}
