// Storage write benchmark: encrypted, batched event inserts (batches of 500, ~1 KB events) on
// PostgreSQL and on embedded PGlite. Bounded: 20k events on PostgreSQL, 5k on PGlite.
//   npm run build && node benchmarks/storage.js
// PostgreSQL comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a throwaway
// schema is created and dropped. Set BENCH_STORAGE_PG=0 to skip it. Also prints the cost of an
// inventory flush of POINTS points that are all stored already (the steady state of a running engine).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb } from '../dist/storage/open.js';
import { openStorage } from '../dist/storage/storage.js';
import { Keyring } from '../dist/storage/crypto/master-keys.js';
import { SubjectHasher } from '../dist/storage/crypto/lookup.js';
import { upsertObservations } from '../dist/inventory/store.js';

const BATCH = 500;
const SUBJECTS = 2_000;
const POINTS = 800;
const FLUSHES = 6;

/**
 * ~1 KB track events spread over SUBJECTS users (every batch needs keys for many subjects).
 * @param {number} n
 * @param {string} runId
 * @returns {import('../dist/events/index.js').SegmentEvent[]}
 */
function makeEvents(n, runId) {
  const filler = 'x'.repeat(560);
  return Array.from({ length: n }, (_, i) => ({
    type: 'track',
    event: i % 10 === 0 ? 'Order Completed' : 'Product Viewed',
    messageId: `${runId}-${i}`,
    userId: `user-${i % SUBJECTS}`,
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 86_400)).toISOString(),
    context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Bench/1.0', library: { name: 'analytics.js', version: '2.11.1' } },
    properties: { sku: `SKU-${i % 977}`, price: (i % 100) + 0.99, currency: 'EUR', email: `user-${i % SUBJECTS}@example.com`, note: filler },
  }));
}

/**
 * @param {string} label
 * @param {import('../dist/storage/db.js').ScriptDb} db
 * @param {number} total
 */
async function measure(label, db, total) {
  const storage = await openStorage({
    db,
    keyring: new Keyring([{ version: 1, key: randomBytes(32) }]),
    hasher: new SubjectHasher(randomBytes(32)),
    retention: { default: '365d', events: { 'Order Completed': '7y' } },
  });
  const events = makeEvents(total, `${label}-${Date.now()}`);
  const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
  // Warm-up batch (first key creation, plan caching) is not timed.
  await storage.events.storeEvents(makeEvents(BATCH, `${label}-warm`));
  const started = process.hrtime.bigint();
  let inserted = 0;
  for (let i = 0; i < events.length; i += BATCH) inserted += (await storage.events.storeEvents(events.slice(i, i + BATCH))).inserted;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (inserted !== total) throw new Error(`expected ${total} inserts, got ${inserted}`);
  return { engine: label, events: total, avgBytes: Math.round(bytes / total), seconds: seconds.toFixed(2), perSecond: Math.round(total / seconds) };
}

/**
 * Inventory flushes of POINTS known points (counts added, nothing drifts), after the one that
 * creates them: median wall ms and this process's CPU ms per flush (PGlite runs in-process; the
 * PostgreSQL server's CPU is not in the figure).
 * @param {import('../dist/storage/db.js').ScriptDb} db
 */
async function measureFlush(db) {
  /**
   * @param {number} round
   * @returns {import('../dist/inventory/store.js').DataPointObservation[]}
   */
  const observations = (round) => {
    const at = new Date(Date.UTC(2024, 0, 1, 0, 0, round)).toISOString();
    return Array.from({ length: POINTS }, (_, i) => ({
      source: 'bench',
      event: `Event ${i % 40}`,
      path: `properties.field_${i}.value`,
      category: i % 3 === 0 ? null : 'email',
      dataCategory: i % 3 === 0 ? null : 'user.contact.email',
      classification: i % 3 === 0 ? 'green' : 'yellow',
      matchedOn: i % 3 === 0 ? null : 'key+value',
      confidence: 0.9,
      matcher: i % 3 === 0 ? null : 'email',
      count: 3,
      firstSeen: at,
      lastSeen: at,
      example: i % 3 === 0 ? null : 'j***@e***.com',
      categories: i % 3 === 0 ? [] : [{ category: 'email', dataCategory: 'user.contact.email', classification: 'yellow', count: 3, lastSeen: at }],
      destinations: ['warehouse', 'ads'],
      exampleSubject: null,
    }));
  };
  await upsertObservations(db, observations(0));
  const wall = [];
  const cpu = [];
  for (let round = 1; round <= FLUSHES; round++) {
    const batch = observations(round);
    const started = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const signals = await upsertObservations(db, batch);
    const used = process.cpuUsage(usage);
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    cpu.push((used.user + used.system) / 1e3);
    if (signals.length !== 0) throw new Error(`a flush of known points raised ${signals.length} signals`);
  }
  /** @param {number[]} xs */
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return { flushWallMs: Math.round(median(wall)), flushCpuMs: Math.round(median(cpu)) };
}

/** @type {(Awaited<ReturnType<typeof measure>> & Awaited<ReturnType<typeof measureFlush>>)[]} */
const results = [];
if (process.env.BENCH_STORAGE_PG !== '0') {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_storage_${randomBytes(4).toString('hex')}`;
  const db = await openDb({ url, schema });
  try {
    results.push({ ...(await measure('postgres', db, 20_000)), ...(await measureFlush(db)) });
  } finally {
    await db.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
for (const [label, dataDir] of /** @type {[string, string | undefined][]} */ ([
  ['pglite (in-memory)', undefined],
  ['pglite (data dir)', mkdtempSync(join(tmpdir(), 'sl-bench-'))],
])) {
  const db = await openDb({ dataDir });
  try {
    results.push({ ...(await measure(label, db, 5_000)), ...(await measureFlush(db)) });
  } finally {
    await db.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** @type {(keyof (typeof results)[number])[]} */
const headers = ['engine', 'events', 'avgBytes', 'seconds', 'perSecond', 'flushWallMs', 'flushCpuMs'];
const widths = headers.map((h) => Math.max(h.length, ...results.map((r) => String(r[h]).length)));
console.log(
  `stored events/s (batches of ${BATCH}, AES-256-GCM per event, ${SUBJECTS} subjects); inventory flush of ${POINTS} known points (median of ${FLUSHES}, CPU of this process)`,
);
console.log(headers.map((h, i) => h.padEnd(widths[i] ?? 0)).join('  '));
for (const r of results) console.log(headers.map((h, i) => String(r[h]).padEnd(widths[i] ?? 0)).join('  '));
