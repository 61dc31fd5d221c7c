#!/usr/bin/env node
// HTTP ingest throughput per process, through to the broker: batches of ~1 KB Segment events are
// posted by concurrent keep-alive clients (undici, in a process of their own) for a fixed time; an event counts once
// its batch got a 200, which the ingest sends only after the broker acknowledged it (acks=all).
// Beside it, the floor: a bare fastify route parsing the same bodies and producing the items
// unchanged through the same producer. Rounds alternate floor/ingest (this machine is shared).
// Run after `npm run build`:
//
//   node benchmarks/ingest.js            # starts a local broker unless KAFKA_BROKERS is set; write keys in
//                                        # DATABASE_URL's PostgreSQL (own schema; default
//                                        # postgres://postgres@127.0.0.1:5432/test), or PGlite with BENCH_PGLITE=1
//   BENCH_SECONDS=8 BENCH_ROUNDS=2 BENCH_BATCH=200 BENCH_CONCURRENCY=8 BENCH_CONCURRENCY_HIGH=32 node benchmarks/ingest.js
//   BENCH_CPU_PROF=/tmp/prof node benchmarks/ingest.js   # a CPU profile of each server process
//
// Prints accepted events/s of each, their ratio (target ≥ 0.7x) and the ingest's events/s (target ≥ 20k),
// at two client counts: BENCH_CONCURRENCY (8: what a few busy senders see) and BENCH_CONCURRENCY_HIGH
// (32: enough clients to saturate either server). The targets are about "accepted events/s per
// process", a server's capacity, and capacity is measured with enough concurrent clients to saturate
// the server: with too few, a server that spends its time waiting (the ingest's round trips to
// PostgreSQL before the produce) reads as slower than it is while the floor, which only parses and
// produces, already saturates its thread. So the high-concurrency ratio governs the targets (and the
// exit code); the low one is printed beside it, so the latency cost is never hidden.
// A run is invalid, and exits 1, when any request is not answered 200 or a topic does not hold exactly
// the events accepted into it; it also exits 1 below the ratio.
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
const CONCURRENCY_HIGH = Number(process.env.BENCH_CONCURRENCY_HIGH ?? 32);
// Production keeps write keys (and the shared dedup) in PostgreSQL; BENCH_PGLITE=1 measures the embedded store.
const DATABASE_URL = process.env.BENCH_PGLITE === '1' ? null : (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench:ingest] ${msg}\n`);

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else if (process.argv[2] === 'load') await generate();
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
    const { sharedMessageIds, startIngest } = await import('../dist/ingest/server.js');
    const { WriteKeyStore } = await import('../dist/api/write-keys.js');
    const db = await openDb(
      env.BENCH_DB_URL ? { url: env.BENCH_DB_URL, schema: env.BENCH_DB_SCHEMA, poolSize: 4 } : { dataDir: env.BENCH_DB_DIR, create: false },
    );
    const config = parseIngestConfig({ port: 0, topic: env.BENCH_TOPIC, sources: [{ name: 'bench' }] });
    const ingest = await startIngest({
      config,
      sink,
      writeKeys: new WriteKeyStore(db),
      // As `ingest serve` on a PostgreSQL store: the messageId window shared with other processes.
      sharedDedup: db.engine === 'postgres' ? sharedMessageIds(db, config) : undefined,
      logger: silentLogger(),
    });
    app = ingest.app;
  }
  // Listening on TCP: the address is an AddressInfo.
  process.stdout.write(`PORT ${/** @type {import('node:net').AddressInfo} */ (app.server.address()).port}\n`);
  // The process's CPU time so far, on request: CPU per accepted event is steadier than events/s
  // on a shared machine, so the report gives both.
  process.on('SIGUSR2', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`CPU ${user + system}\n`);
  });
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
 * What the load generator reports: events accepted and sent, answers other than 200 by status and
 * text, failed requests by error code.
 * @typedef {{ accepted: number; sent: number; refused: Record<string, number>; failures: Record<string, number>; perSecond: number }} LoadCounts
 */

/**
 * The load generator, in its own process (`node benchmarks/ingest.js load`) so that building
 * bodies never competes with the server under test in one event loop: undici keep-alive
 * connections, each with one request in flight. Bodies are spliced from pre-serialised events
 * around a fresh messageId each, so every event is new to the dedup and costs the generator
 * little. Every answer's status is counted; anything but 200, or a failed request, fails the run.
 */
async function generate() {
  const { Pool } = await import('undici');
  /** @type {{ port: number; writeKey: string | null; run: string; seconds: number; clients: number }} */
  const { port, writeKey, run, seconds, clients } = JSON.parse(/** @type {string} */ (process.argv[3]));
  const auth = writeKey ? `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` : undefined;
  const headers = { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) };
  const templates = Array.from({ length: 1000 }, (_, n) => eventJson('TEMPLATE', n).split(`"messageId":"TEMPLATE-${n}"`));
  if (templates.some((t) => t.length !== 2)) throw new Error('event template without its messageId');
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: clients, pipelining: 1, keepAliveTimeout: 30_000 });
  let counter = 0;
  let accepted = 0;
  /** @type {LoadCounts['refused']} */
  const refused = {};
  /** @type {LoadCounts['failures']} */
  const failures = {};
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  async function client() {
    while (Date.now() < end) {
      const parts = new Array(BATCH);
      for (let i = 0; i < BATCH; i++) {
        const n = counter++;
        const t = /** @type {string[]} */ (templates[n % templates.length]);
        parts[i] = `${t[0]}"messageId":"${run}-${n}"${t[1]}`;
      }
      const body = `{"batch":[${parts.join(',')}],"sentAt":"${new Date().toISOString()}"}`;
      try {
        const res = await pool.request({ path: '/v1/batch', method: 'POST', headers, body });
        const text = await res.body.text();
        if (res.statusCode === 200) accepted += BATCH;
        else {
          const key = `${res.statusCode} ${text.slice(0, 120)}`;
          refused[key] = (refused[key] ?? 0) + 1;
        }
      } catch (err) {
        const e = /** @type {NodeJS.ErrnoException} */ (err);
        const key = e.code ?? e.name;
        failures[key] = (failures[key] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (Date.now() - started) / 1000;
  await pool.close();
  process.stdout.write(`${JSON.stringify({ accepted, sent: counter, refused, failures, perSecond: accepted / elapsed })}\n`);
}

/**
 * Runs the generator process against `port` with `clients` connections for `seconds`; resolves with its counts.
 * @param {number} port
 * @param {string | null} writeKey
 * @param {string} run
 * @param {number} clients
 * @returns {Promise<LoadCounts>}
 */
function load(port, writeKey, run, clients, seconds = SECONDS) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'load', JSON.stringify({ port, writeKey, run, seconds, clients })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`load generator exited (${code})`))));
  });
}

/**
 * @param {string} mode
 * @param {NodeJS.ProcessEnv} env
 */
async function startServer(mode, env) {
  // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (for profiling, not figures).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, fileURLToPath(import.meta.url), 'serve', mode], {
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
  let lines = '';
  /** @type {((us: number) => void)[]} */
  const waiting = [];
  child.stdout.on('data', (c) => {
    lines += c;
    for (let m = /CPU (\d+)\n/.exec(lines); m; m = /CPU (\d+)\n/.exec(lines)) {
      lines = lines.slice(m.index + m[0].length);
      waiting.shift()?.(Number(m[1]));
    }
  });
  return {
    port,
    /**
     * The server's CPU time so far, in microseconds.
     * @returns {Promise<number>}
     */
    cpu: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.kill('SIGUSR2');
      }),
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
  const { WriteKeyStore } = await import('../dist/api/write-keys.js');
  const schema = `bench_ingest_${suffix}`;
  const dbDir = DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'sl-bench-ingest-'));
  const db = await openDb(DATABASE_URL ? { url: DATABASE_URL, schema } : { dataDir: dbDir });
  const { writeKey } = await new WriteKeyStore(db).create(db, { source: 'bench', createdBy: null });
  await db.close();
  const dbEnv = DATABASE_URL ? { BENCH_DB_URL: DATABASE_URL, BENCH_DB_SCHEMA: schema } : { BENCH_DB_DIR: dbDir };

  const levels = [...new Set([CONCURRENCY, CONCURRENCY_HIGH])];
  /** Per client count, per mode: each round's counts. @type {Map<number, Record<'floor' | 'ingest', (LoadCounts & { cpuPerEvent: number })[]>>} */
  const results = new Map(levels.map((c) => [c, { floor: [], ingest: [] }]));
  /** @type {Record<'floor' | 'ingest', number>} */
  const totals = { floor: 0, ingest: 0 };
  const sent = { floor: 0, ingest: 0 };
  const counted = { floor: 0, ingest: 0 };
  /** Any request not answered 200: the run is not valid. */
  const errors = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const clients of levels) {
        for (const mode of /** @type {const} */ (['floor', 'ingest'])) {
          const server = await startServer(mode, { BENCH_BROKERS: broker.brokers, BENCH_TOPIC: topics[mode], ...dbEnv });
          // A short warm-up (JIT, connections), not counted.
          const key = mode === 'ingest' ? writeKey : null;
          const warm = await load(server.port, key, `warm-${mode}-${clients}-${round}`, clients, 1);
          const cpuBefore = await server.cpu();
          const result = await load(server.port, key, `${mode}-${clients}-${round}`, clients);
          const cpuPerEvent = ((await server.cpu()) - cpuBefore) / Math.max(1, result.accepted);
          await server.stop();
          /** @type {NonNullable<ReturnType<typeof results.get>>} */ (results.get(clients))[mode].push({ ...result, cpuPerEvent });
          for (const r of [warm, result]) {
            sent[mode] += r.sent;
            counted[mode] += r.accepted;
            if (Object.keys(r.refused).length > 0 || Object.keys(r.failures).length > 0)
              errors.push(`${mode} ${clients} clients round ${round + 1}: refused ${JSON.stringify(r.refused)}, failed ${JSON.stringify(r.failures)}`);
          }
          log(
            `round ${round + 1}, ${clients} clients, ${mode}: ${Math.round(result.perSecond).toLocaleString('en-US')} events/s, ${cpuPerEvent.toFixed(1)} µs CPU per event (${result.sent - result.accepted} events not accepted)`,
          );
        }
      }
    }
    for (const mode of /** @type {const} */ (['floor', 'ingest'])) totals[mode] = await topicCount(kafka, topics[mode]);
  } finally {
    if (DATABASE_URL) {
      const db2 = await openDb({ url: DATABASE_URL });
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
  /** @param {{ cpuPerEvent: number }[]} list */
  const leastCpu = (list) => Math.min(...list.map((r) => r.cpuPerEvent));
  console.log(`HTTP ingest, batches of ${BATCH} (~1 KB events), ${ROUNDS} x ${SECONDS} s rounds per client count, best round of each:`);
  /** The ingest/floor ratio and the ingest's events/s, per client count. @type {Map<number, { ratio: number; ingest: number }>} */
  const figures = new Map();
  for (const clients of levels) {
    const r = /** @type {NonNullable<ReturnType<typeof results.get>>} */ (results.get(clients));
    const floor = best(r.floor);
    const ingest = best(r.ingest);
    figures.set(clients, { ratio: ingest / floor, ingest });
    const cpuFloor = leastCpu(r.floor);
    const cpuIngest = leastCpu(r.ingest);
    console.log(`  ${clients} concurrent clients${clients === CONCURRENCY_HIGH ? ' (capacity: the targets apply here)' : ''}:`);
    console.log(`    floor (bare fastify route, parse + produce unchanged): ${Math.round(floor).toLocaleString('en-US')} events/s`);
    console.log(`    segmentloom ingest (auth, validation, dedup in memory and PostgreSQL, acks=all): ${Math.round(ingest).toLocaleString('en-US')} events/s`);
    console.log(
      `    server CPU per accepted event (least of the rounds): floor ${cpuFloor.toFixed(1)} µs, ingest ${cpuIngest.toFixed(1)} µs: floor/ingest ${(cpuFloor / cpuIngest).toFixed(2)}x (the same ratio as throughput when both are CPU bound)`,
    );
    console.log(`    ratio ingest/floor: ${(ingest / floor).toFixed(2)}x`);
  }
  // See the header: capacity is the saturated figure, so the targets are judged at CONCURRENCY_HIGH.
  const governing = /** @type {{ ratio: number; ingest: number }} */ (figures.get(CONCURRENCY_HIGH));
  const low = /** @type {{ ratio: number; ingest: number }} */ (figures.get(CONCURRENCY));
  console.log(
    `  ratio ingest/floor: ${governing.ratio.toFixed(2)}x at ${CONCURRENCY_HIGH} clients (target >= 0.7x), ${low.ratio.toFixed(2)}x at ${CONCURRENCY}; ingest target >= 20,000 events/s at ${CONCURRENCY_HIGH} clients: ${governing.ingest >= 20_000 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  in the topics (warm-ups included): floor ${totals.floor.toLocaleString('en-US')} of ${counted.floor.toLocaleString('en-US')} accepted, ingest ${totals.ingest.toLocaleString('en-US')} of ${counted.ingest.toLocaleString('en-US')} accepted`,
  );
  // Every accepted event must be in its topic exactly once (all messageIds are fresh, nothing refused).
  for (const mode of /** @type {const} */ (['floor', 'ingest']))
    if (totals[mode] !== counted[mode]) errors.push(`${mode}: ${totals[mode]} records in the topic for ${counted[mode]} accepted events`);
  if (errors.length > 0) {
    console.log(`  INVALID RUN:\n    ${errors.join('\n    ')}`);
    process.exitCode = 1;
  } else if (governing.ratio < 0.7) process.exitCode = 1;
}
