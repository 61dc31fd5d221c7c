// Fault: the PostgreSQL server behind the event store is stopped mid-stream for 30 s, then started
// again (pg_ctl stop -m fast: every connection is cut). The engine must not commit offsets of
// events it could not store, must not crash, must resume by itself once the server is back, and
// must end with every event stored exactly once and delivered to its destinations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClusterAvailable, startPgCluster, type PgCluster } from '../../scripts/pg-cluster.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { kafkaSkipped } from '../helpers/kafka.js';
import { testKeys } from '../integration/helpers.js';
import { deliveryFigures, kafkaEngineHead, phaseEvents, phaseIds, policyTopics } from '../pipeline/engine-harness.js';
import { policyYaml, tempDir } from '../pipeline/helpers.js';
import { createTopics, groupProgress, produce, testKafka, TopicReader, uniqueName, waitUntil } from '../pipeline/kafka-helpers.js';

const OUTAGE_MS = 30_000;
const PER_PHASE = 200;

describe.skipIf(kafkaSkipped || !pgClusterAvailable())('PostgreSQL stopped for 30 s mid-stream', () => {
  const kafka = testKafka();
  const t = policyTopics('pgf');
  const groupId = uniqueName('pgf-group');
  let cluster: PgCluster;
  let engine: EngineHandle | undefined;
  let reader: TopicReader | undefined;

  beforeAll(async () => {
    cluster = await startPgCluster();
    await createTopics(kafka, Object.values(t), 2);
  });

  afterAll(async () => {
    await engine?.stop().catch(() => {});
    await reader?.stop().catch(() => {});
    await cluster?.destroy();
  });

  const events = (phase: string) => phaseEvents(phase, PER_PHASE);

  async function storedCount(): Promise<number> {
    const client = new pg.Client({ connectionString: cluster.url() });
    await client.connect();
    try {
      return (await client.query('SELECT count(*)::int AS n FROM fault.events')).rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  it('commits nothing it could not store, keeps running, resumes, and stores every event exactly once', async () => {
    const keys = testKeys();
    const dir = tempDir('sl-fault-pg-');
    const file = join(dir, 'engine.yaml');
    writeFileSync(
      file,
      `${kafkaEngineHead({ groupId, input: t.input, dlq: t.dlq })}batch: { maxWaitMs: 50, workers: 0 }
storage:
  databaseUrl: "${cluster.url()}"
  schema: fault
  masterKeys: "${keys.masterKeys}"
  lookupKey: "${keys.lookupKey}"
inventory: { flushIntervalMs: 200 }
${policyYaml(t)}`,
    );
    const logger = process.env.DBG ? createLogger({ level: 'debug' }) : silentLogger();
    engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger, env: {} });
    reader = await new TopicReader(kafka, [t.warehouse, t.analytics, t.ads]).start();

    // Phase 1: all stored and committed with the server up.
    await produce(kafka, t.input, events('before'));
    await waitUntil(
      async () => (await storedCount()) === PER_PHASE && (await groupProgress(kafka, groupId, t.input)).committed === PER_PHASE,
      60_000,
      'phase 1 stored and committed',
    );

    // Phase 2: the server goes away; events keep arriving.
    await cluster.stop();
    const stoppedAt = Date.now();
    await produce(kafka, t.input, events('during'));
    const committedDuring: number[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      committedDuring.push((await groupProgress(kafka, groupId, t.input)).committed);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // Not one offset of an event that could not be stored was committed.
    expect(Math.max(...committedDuring)).toBe(PER_PHASE);

    // Phase 3: the server is back; the engine (the same process, never restarted) catches up.
    await cluster.start();
    const startedAt = Date.now();
    await waitUntil(async () => (await storedCount().catch(() => -1)) === 2 * PER_PHASE, 120_000, 'the outage backlog stored after the restart');
    const recoverMs = Date.now() - startedAt;
    await produce(kafka, t.input, events('after'));
    await waitUntil(
      async () => (await storedCount()) === 3 * PER_PHASE && (await groupProgress(kafka, groupId, t.input)).committed === 3 * PER_PHASE,
      60_000,
      'phase 3 stored and committed',
    );
    await reader.waitFor(() => new Set(reader!.json(t.warehouse).map((e) => e.messageId)).size === 3 * PER_PHASE, 60_000, 'every event in the warehouse');

    // message_id is UNIQUE: 600 rows are 600 distinct events, none stored twice; all expected ids present.
    const client = new pg.Client({ connectionString: cluster.url() });
    await client.connect();
    const rows = (await client.query('SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS d FROM fault.events')).rows[0];
    await client.end();
    expect(rows).toEqual({ n: 3 * PER_PHASE, d: 3 * PER_PHASE });
    const expected = phaseIds({ before: PER_PHASE, during: PER_PHASE, after: PER_PHASE });
    const ids = (topic: string) => reader!.json(topic).map((e) => e.messageId as string);
    // Every sample event consents to both categories: each destination gets every event.
    await reader.waitFor(
      () => new Set(ids(t.analytics)).size === expected.length && new Set(ids(t.ads)).size === expected.length,
      60_000,
      'every event at analytics and ads',
    );
    const delivered = ids(t.warehouse);
    expect(new Set(delivered)).toEqual(new Set(expected));
    const durable = engine.durable!.counts;
    const perDestination = deliveryFigures(reader, { warehouse: t.warehouse, analytics: t.analytics, ads: t.ads }, expected);
    const figures = {
      produced: 3 * PER_PHASE,
      stored: rows.n,
      storedTwice: rows.n - rows.d,
      storedDuplicatesRejected: durable.duplicateEvents,
      perDestination,
      lost: expected.length - new Set(delivered).size,
      outageMs: OUTAGE_MS,
      recoverMs,
    };
    console.log(`[fault] postgres-outage ${JSON.stringify(figures)}`);
    expect(figures.lost).toBe(0);
    for (const d of Object.values(perDestination)) expect(d.lost).toBe(0);
    // A retry stores before it sends: only the batches in flight when the server went away (sent,
    // not stored) reach a destination twice — not every retry during the outage.
    expect(perDestination.warehouse!.duplicates).toBeLessThanOrEqual(PER_PHASE);
    expect(engine.ready()).toBe(true);
  });
});
