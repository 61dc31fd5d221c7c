// A broker that stops answering mid-stream (SIGSTOP: a hung broker, a partition), on a broker of
// this test's own: the ingest answers 503 with Retry-After (429 once too much waits), the stock
// client retries, and after the broker is back every event is in the topic exactly once.
import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKafka } from '../../scripts/kafka-broker.js';
import { parseIngestConfig } from '../../src/config/ingest-schema.js';
import { kafkaIngestSink, startIngest, type RunningIngest } from '../../src/ingest/server.js';
import { WriteKeyStore } from '../../src/api/write-keys.js';
import { silentLogger } from '../../src/core/logger.js';
import type { EventSink } from '../../src/events/messages.js';
import { describeKafka } from '../helpers/kafka.js';
import { createTopics, TopicReader, uniqueName } from '../pipeline/kafka-helpers.js';
import { openTestDb, type TestDb } from '../storage/helpers.js';
import { kafkaConfigFor } from './helpers.js';

describeKafka('ingest while the broker is unavailable', () => {
  let broker: Awaited<ReturnType<typeof startKafka>>;
  let paused = false;
  let t: TestDb;
  let sink: EventSink;
  let ingest: RunningIngest;
  let reader: TopicReader;
  let writeKey: string;
  const topic = uniqueName('outage');

  beforeAll(async () => {
    broker = await startKafka({});
    const kafka = new Kafka({ clientId: 'segmentloom-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    await createTopics(kafka, [topic], 2);
    t = await openTestDb('postgres', 'ingest_outage');
    const keys = new WriteKeyStore(t.db);
    writeKey = (await keys.create(t.db, { source: 'web', createdBy: null })).writeKey;
    sink = await kafkaIngestSink(kafkaConfigFor(broker.brokers, { requestTimeoutMs: 5000 }));
    const config = parseIngestConfig({
      port: 0,
      topic,
      sources: [{ name: 'web' }],
      produce: { timeoutMs: 1000, retryAfterSeconds: 1, maxQueuedBytes: 20_000 },
    });
    ingest = await startIngest({ config, sink, writeKeys: keys, logger: silentLogger() });
    reader = await new TopicReader(kafka, [topic]).start();
  }, 240_000);
  afterAll(async () => {
    if (paused) process.kill(broker.pid, 'SIGCONT');
    await reader?.stop().catch(() => {});
    await ingest?.close().catch(() => {});
    await sink?.close().catch(() => {});
    await t?.close();
    await broker?.stop();
  }, 60_000);

  const post = (body: unknown) =>
    fetch(`${ingest.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
      body: JSON.stringify(body),
    });

  it('503 then recovery, with no event lost or doubled', async () => {
    const analytics = new Analytics({ writeKey, host: ingest.url, flushAt: 10, flushInterval: 100, maxRetries: 1000, httpRequestTimeout: 10_000 });
    const statuses: number[] = [];
    analytics.on('http_response', (r) => statuses.push(r.status));
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    const sent: string[] = [];
    const send = (n: number) => {
      for (let i = 0; i < n; i++) {
        const messageId = randomUUID();
        sent.push(messageId);
        analytics.track({ userId: `user-${i % 5}`, event: 'Checkout Step', messageId, properties: { step: i } });
      }
    };

    send(30);
    await reader.waitFor(() => reader.of(topic).length >= 30, 30_000, 'the first 30 events');

    process.kill(broker.pid, 'SIGSTOP');
    paused = true;
    const raw = { type: 'track', userId: 'user-raw', event: 'Raw', messageId: randomUUID() };
    const unavailable = await post({ batch: [raw] });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1');
    // The unacknowledged batch still waits for the broker: a large one now is backpressure.
    const large = Array.from({ length: 30 }, () => ({
      type: 'track',
      userId: 'user-big',
      event: 'Big',
      messageId: randomUUID(),
      properties: { pad: 'x'.repeat(1000) },
    }));
    const backpressure = await post({ batch: large });
    expect(backpressure.status).toBe(429);
    expect(backpressure.headers.get('retry-after')).toBe('1');

    send(30);
    const until = Date.now() + 15_000;
    while (!statuses.some((s) => s === 503 || s === 429) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(statuses.filter((s) => s === 503 || s === 429).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));

    process.kill(broker.pid, 'SIGCONT');
    paused = false;
    await analytics.closeAndFlush({ timeout: 60_000 });
    expect(errors).toEqual([]);
    // The client that got a 503 retries; the first attempt was produced after all, so it is not produced again.
    const retried = await post({ batch: [raw] });
    expect(retried.status).toBe(200);
    const again = await post({ batch: large });
    expect(again.status).toBe(200);

    const expected = new Set([...sent, raw.messageId, ...large.map((e) => e.messageId)]);
    await reader.waitFor(() => reader.of(topic).length >= expected.size, 30_000, 'every event');
    await new Promise((r) => setTimeout(r, 1000));
    const ids = reader.json(topic).map((e) => e.messageId as string);
    expect(ids).toHaveLength(expected.size);
    expect(new Set(ids)).toEqual(expected);
  }, 120_000);
});
