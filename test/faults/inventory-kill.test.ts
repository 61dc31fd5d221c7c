// Fault: the engine binary killed with SIGKILL right after it committed the offsets of a stream of
// events, on PostgreSQL, with the inventory's timer flush far away (60 s). The counts of committed
// events must already be in the inventory: a crash may count an event twice (at-least-once), never
// zero times. Then the engine is started again and must carry on from the committed offsets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaSkipped } from '../helpers/kafka.js';
import { testKeys } from '../integration/helpers.js';
import { deliveryFigures, EngineProcesses, kafkaEngineHead, phaseEvents, phaseIds, policyTopics } from '../pipeline/engine-harness.js';
import { policyYaml, tempDir } from '../pipeline/helpers.js';
import { createTopics, groupProgress, produce, testKafka, TopicReader, uniqueName, waitUntil } from '../pipeline/kafka-helpers.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';

const FIRST = 50;
const SECOND = 400;
const AFTER = 50;

describe.skipIf(kafkaSkipped)('SIGKILL of the engine right after an offset commit', () => {
  const kafka = testKafka();
  const t = policyTopics('invk');
  const groupId = uniqueName('invk-group');
  const schema = uniqueSchema('invkill');
  const engines = new EngineProcesses();
  let url = '';
  let client: pg.Client;
  let reader: TopicReader | undefined;

  beforeAll(async () => {
    url = await postgresUrl();
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await createTopics(kafka, Object.values(t), 2);
  });

  afterAll(async () => {
    engines.killAll();
    await reader?.stop().catch(() => {});
    await client?.end().catch(() => {});
    if (url) await dropSchema(url, schema);
  });

  /** Per data point of the events, its count in the inventory (every event has every point). */
  async function counts(): Promise<number[]> {
    const rows = await client
      .query<{ count: string }>(`SELECT count FROM "${schema}".inventory_points WHERE event = 'Order Completed'`)
      .then((r) => r.rows)
      .catch(() => []);
    return rows.map((r) => Number(r.count));
  }
  const counted = async () => Math.min(...(await counts()), Number.POSITIVE_INFINITY);

  it('commits no offset ahead of its inventory counts: nothing lost after SIGKILL, the restart carries on', async () => {
    const keys = testKeys();
    const dir = tempDir('sl-fault-invk-');
    const config = join(dir, 'engine.yaml');
    writeFileSync(
      config,
      `${kafkaEngineHead({ groupId, input: t.input, dlq: t.dlq })}batch: { maxWaitMs: 50 }
storage:
  databaseUrl: "${url}"
  schema: ${schema}
  masterKeys: "${keys.masterKeys}"
  lookupKey: "${keys.lookupKey}"
  retentionSweep: false
# The timer flush never comes during the test: only what the commit path writes is counted.
inventory: { flushIntervalMs: 60000 }
reload: { enabled: false }
logging: { level: info }
${policyYaml(t)}`,
    );
    reader = await new TopicReader(kafka, [t.warehouse, t.analytics, t.ads]).start();

    // Phase 1: the points become known (their first flush is an early one, whatever the code).
    const first = engines.run(config);
    await produce(kafka, t.input, phaseEvents('first', FIRST));
    await waitUntil(async () => (await groupProgress(kafka, groupId, t.input)).committed === FIRST, 90_000, 'phase 1 committed');
    await waitUntil(async () => (await counts()).length > 0, 30_000, 'phase 1 points in the inventory');

    // Phase 2: known points only, so nothing but the commit path writes their counts; killed the
    // moment every offset is committed.
    await produce(kafka, t.input, phaseEvents('second', SECOND));
    await waitUntil(async () => (await groupProgress(kafka, groupId, t.input)).committed === FIRST + SECOND, 90_000, 'phase 2 committed');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await counts();
    console.log(`[fault] sigkill-after-commit-inventory at kill: committed ${FIRST + SECOND}, counted ${Math.min(...atKill)}`);

    // Restart: it reads on from the committed offsets; a later phase is counted once more.
    const restartedAt = Date.now();
    const second = engines.run(config);
    await waitUntil(() => second.log().includes('engine running'), 90_000, 'the restarted engine running');
    await produce(kafka, t.input, phaseEvents('after', AFTER));
    const total = FIRST + SECOND + AFTER;
    await waitUntil(async () => (await groupProgress(kafka, groupId, t.input)).committed === total, 90_000, 'phase 3 committed');
    await waitUntil(async () => (await counted()) >= total, 30_000, 'phase 3 counted');
    const recoverMs = Date.now() - restartedAt;
    const ids = (topic: string) => reader!.json(topic).map((e) => e.messageId as string);
    await reader.waitFor(() => new Set(ids(t.warehouse)).size === total, 60_000, 'every event in the warehouse');
    second.child.kill('SIGTERM');
    expect(await second.exited, second.log().slice(-2000)).toEqual({ code: 0, signal: null });
    const after = await counts();

    const expected = phaseIds({ first: FIRST, second: SECOND, after: AFTER });
    const delivered = deliveryFigures(reader, { warehouse: t.warehouse, analytics: t.analytics, ads: t.ads }, expected);
    const figures = {
      produced: total,
      committedAtKill: FIRST + SECOND,
      countedAtKill: { min: Math.min(...atKill), max: Math.max(...atKill) },
      lostAtKill: Math.max(0, FIRST + SECOND - Math.min(...atKill)),
      countedAfterRestart: { min: Math.min(...after), max: Math.max(...after) },
      countedTwice: Math.max(...after) - total,
      delivered,
      recoverMs,
    };
    console.log(`[fault] sigkill-after-commit-inventory ${JSON.stringify(figures)}`);
    // Every committed event is counted, at the kill and after it; twice is allowed, never zero times.
    expect(Math.min(...atKill)).toBeGreaterThanOrEqual(FIRST + SECOND);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(total);
    expect(delivered.warehouse!.lost).toBe(0);
  });
});
