// A real ingest for tests: write keys in a real database, events produced to a real broker
// (the shared one unless `brokers` is given), read back with a TopicReader.
import { kafkaSchema, type KafkaConfig } from '../../src/config/schema.js';
import { parseIngestConfig, type IngestConfig } from '../../src/config/ingest-schema.js';
import { kafkaIngestSink, startIngest, type RunningIngest } from '../../src/ingest/server.js';
import { WriteKeyStore } from '../../src/api/write-keys.js';
import { silentLogger } from '../../src/core/logger.js';
import type { EventSink } from '../../src/events/messages.js';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers } from '../helpers/kafka.js';
import { createTopics, TopicReader, uniqueName } from '../pipeline/kafka-helpers.js';
import { openTestDb, type TestDb } from '../storage/helpers.js';
import type { TlsOptions } from '../../src/api/context.js';

export interface TestIngest {
  ingest: RunningIngest;
  url: string;
  topic: string;
  /** A write key for source `web`. */
  writeKey: string;
  keys: WriteKeyStore;
  t: TestDb;
  kafka: Kafka;
  reader: TopicReader;
  sink: EventSink;
  /** POSTs JSON (or a string/Buffer as is) to `/v1/<path>`. */
  post(
    path: string,
    body: unknown,
    options?: { writeKey?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; json: any }>;
  close(): Promise<void>;
}

export function kafkaConfigFor(brokers: string, overrides: Record<string, unknown> = {}): KafkaConfig {
  return kafkaSchema.parse({ brokers, groupId: 'unused', topics: ['unused'], requestTimeoutMs: 3000, connectionTimeoutMs: 3000, ...overrides });
}

export async function startTestIngest(
  section: Record<string, unknown> = {},
  options: { brokers?: string; tls?: TlsOptions; now?: () => number } = {},
): Promise<TestIngest> {
  const brokers = options.brokers ?? kafkaBrokers();
  const topic = uniqueName('ingest');
  const kafka = new Kafka({ clientId: 'segmentloom-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  await createTopics(kafka, [topic], 2);
  const config: IngestConfig = parseIngestConfig({ port: 0, topic, sources: [{ name: 'web' }], ...section });
  const t = await openTestDb('postgres', 'ingest');
  const keys = new WriteKeyStore(t.db);
  const { writeKey } = await keys.create(t.db, { source: 'web', createdBy: null });
  const sink = await kafkaIngestSink(kafkaConfigFor(brokers));
  const ingest = await startIngest({ config, sink, writeKeys: keys, logger: silentLogger(), tls: options.tls, now: options.now });
  const reader = await new TopicReader(kafka, [topic]).start();
  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  return {
    ingest,
    url: ingest.url,
    topic,
    writeKey,
    keys,
    t,
    kafka,
    reader,
    sink,
    async post(path, body, opts = {}) {
      const key = opts.writeKey === undefined ? writeKey : opts.writeKey;
      const res = await fetch(`${ingest.url}/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: basic(key) } : {}), ...opts.headers },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json };
    },
    async close() {
      await ingest.close();
      await sink.close().catch(() => {});
      await reader.stop().catch(() => {});
      await t.close();
    },
  };
}
