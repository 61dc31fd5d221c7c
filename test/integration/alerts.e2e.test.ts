// New data points → alerts with Kafka engines: two engines in one consumer group, each seeing
// the same new points on its own partitions, raise exactly one webhook alert per point; and an
// alert receiver that hangs never slows the stream down.
import { afterAll, afterEach, expect, it } from 'vitest';
import { SqlOutbox } from '../../src/alerts/outbox-sql.js';
import { listDataPoints } from '../../src/inventory/review.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { describeKafka } from '../helpers/kafka.js';
import { sampleEvent } from '../pipeline/helpers.js';
import { produce, testKafka, TopicReader, waitForGroupShared, waitUntil } from '../pipeline/kafka-helpers.js';
import { alertCounts, alertsYaml } from './alerts-helpers.js';
import { testStore, type TestStore } from './helpers.js';
import { Engines, stateEngineYaml, stateTopics, uniqueName } from './kafka-state.js';

describeKafka('alerts from Kafka engines', () => {
  const kafka = testKafka();
  const engines = new Engines();
  const stores: TestStore[] = [];
  const receivers: Receiver[] = [];
  const readers: TopicReader[] = [];
  afterEach(async () => {
    // Receivers first: a hung request is cut, so the engines' alert queues can close promptly.
    for (const r of receivers.splice(0)) await r.close();
    await engines.stopAll();
    for (const r of readers.splice(0)) await r.stop();
  });
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });

  it('raises exactly one alert per new data point from two engines in one group', async () => {
    const store = await testStore('postgres', 'alerts_group');
    stores.push(store);
    const receiver = await startReceiver();
    receivers.push(receiver);
    const t = await stateTopics('alerts-group', 2);
    const groupId = uniqueName('group');
    const yaml = stateEngineYaml(t, groupId, `${store.yaml}inventory: { flushIntervalMs: 50 }\n${alertsYaml(receiver.url)}`);
    const a = await engines.start(yaml);
    const b = await engines.start(yaml);
    await waitUntil(() => a.ready() && b.ready(), 60_000, 'both engines to join');
    await waitForGroupShared(kafka, groupId, 2);
    const out = await new TopicReader(kafka, [t.warehouse]).start();
    readers.push(out);

    // Both partitions carry the same new points, so both engines find them.
    const events = Array.from({ length: 200 }, (_, i) => ({
      key: `k-${i % 20}`,
      partition: i % 2,
      value: JSON.stringify(sampleEvent({ messageId: `g-${i}`, properties: { backup_email: `b${i}@example.com`, total: i } })),
    }));
    await produce(kafka, t.input, events);
    await out.waitFor(() => new Set(out.json(t.warehouse).map((e) => e.messageId)).size === 200, 60_000);
    // Outputs are visible before an engine finishes its batch (store, commit, totals): wait for the totals.
    await waitUntil(() => a.totals.totals.eventsIn + b.totals.totals.eventsIn >= 200, 30_000, 'both engines to account their batches');
    expect(a.totals.totals.eventsIn).toBeGreaterThan(0);
    expect(b.totals.totals.eventsIn).toBeGreaterThan(0);
    for (const engine of [a, b]) {
      await engine.durable!.inventory!.flush();
      await engine.durable!.alerts!.flush();
    }

    const side = await store.open();
    try {
      const points = await listDataPoints(side.db);
      const counts = alertCounts(receiver);
      expect(counts.get('new web Order Completed properties.backup_email')).toBe(1);
      for (const p of points) expect(counts.get(`new web Order Completed ${p.path}`), p.path).toBe(1);
      expect(a.durable!.counts.inventory!.newDataPoints + b.durable!.counts.inventory!.newDataPoints).toBe(points.length);
      expect(points.find((p) => p.path === 'properties.backup_email')!.count).toBe(200);
    } finally {
      await side.close();
    }
  }, 120_000);

  it('keeps consuming while the alert receiver hangs', async () => {
    const store = await testStore('postgres', 'alerts_hang');
    stores.push(store);
    const receiver = await startReceiver(() => 'hang');
    receivers.push(receiver);
    const t = await stateTopics('alerts-hang');
    // A receiver that never answers holds a delivery for the whole timeout.
    const engine = await engines.start(
      stateEngineYaml(
        t,
        uniqueName('group'),
        `${store.yaml}inventory: { flushIntervalMs: 50 }\n${alertsYaml(receiver.url, { timeoutMs: 30_000, attempts: 1 })}`,
      ),
    );
    const out = await new TopicReader(kafka, [t.warehouse]).start();
    readers.push(out);
    const round = (n: number) =>
      produce(
        kafka,
        t.input,
        Array.from({ length: 20 }, (_, i) => ({
          key: `k-${i}`,
          value: JSON.stringify(sampleEvent({ messageId: `r${n}-${i}`, properties: { [`field_${n}_email`]: 'x@example.com' } })),
        })),
      );
    const delivered = (n: number) => out.json(t.warehouse).filter((e) => String(e.messageId).startsWith(`r${n}-`)).length;

    await round(1);
    await out.waitFor(() => delivered(1) === 20, 30_000);
    await waitUntil(() => receiver.requests.length > 0, 10_000, 'the first alert to reach the (hanging) receiver');
    // Delivery is now stuck for up to 30 s; the stream is not.
    for (let n = 2; n <= 4; n++) {
      await round(n);
      await out.waitFor(() => delivered(n) === 20, 30_000);
    }
    // Three more rounds went through while the first alert request was still unanswered.
    expect(Date.now() - receiver.requests[0]!.at).toBeLessThan(30_000);
    // Once the receiver is gone the queued alerts are parked in the outbox, not lost.
    await receiver.close();
    receivers.splice(0);
    await engine.stop();
    const side = await store.open();
    try {
      expect(await new SqlOutbox(side.db).size()).toBeGreaterThan(0);
    } finally {
      await side.close();
    }
  }, 120_000);
});
