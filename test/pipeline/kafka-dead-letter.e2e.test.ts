// The dead-letter topic on a real broker: records sealed (no key, no event content in clear),
// created with the configured retention.ms and refused at start when the topic keeps records
// longer; `dlq inspect` and `dlq replay` read it from the topic.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import kafkajs from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { run as dlq } from '../../src/cli/commands/dlq.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { DLQ_HEADER } from '../../src/events/dead-letter.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { tempDir } from './helpers.js';
import { createTopics, produce, testKafka, TopicReader, uniqueName } from './kafka-helpers.js';

const { ConfigResourceTypes } = kafkajs;
const EMAIL = 'ada.lovelace@analytical.example';

function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describeKafka('dead-letter topic', () => {
  const kafka = testKafka();
  const engines: EngineHandle[] = [];
  const readers: TopicReader[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop().catch(() => {})));
    await Promise.all(readers.map((r) => r.stop().catch(() => {})));
  });
  const masterKeys = `1:${randomBytes(32).toString('base64')}`;

  function yaml(input: string, dlqTopic: string, extra = ''): string {
    return `source: web
kafka:
  brokers: "${kafkaBrokers()}"
  groupId: ${uniqueName('dlq-group')}
  topics: [${input}]
  fromBeginning: true
  createTopics: { partitions: 1, replicationFactor: 1 }
destinations:
  - { name: warehouse, topic: ${uniqueName('dlq-wh')} }
deadLetter: { topic: ${dlqTopic}, retention: 12h, masterKeys: "${masterKeys}" }
batch: { maxWaitMs: 50 }
${extra}`;
  }

  it('seals records, creates the topic with retention.ms, and replays the exact records with the key', async () => {
    const input = uniqueName('dlq-in');
    const dlqTopic = uniqueName('dlq-dlq');
    const replayTo = uniqueName('dlq-replay');
    await createTopics(kafka, [input, replayTo]);
    const file = join(tempDir('sl-dlq-kafka-'), 'engine.yaml');
    writeFileSync(file, yaml(input, dlqTopic));
    const config = await loadEngineConfig(file, {});
    const bad = [
      { key: 'user-7', value: `{"type":"identify","userId":"user-7","traits":{"email":"${EMAIL}"`, headers: { trace: 't-1' } },
      { key: 'user-8', value: `{"type":"track","event":"x","properties":{"n":1e400,"email":"${EMAIL}"}}`, headers: { trace: 't-2' } },
    ];
    await produce(kafka, input, bad);
    engines.push(await startKafkaEngine(config, { logger: silentLogger(), env: {}, serveMetrics: false }));

    const reader = await new TopicReader(kafka, [dlqTopic]).start();
    readers.push(reader);
    await reader.waitFor(() => reader.of(dlqTopic).length >= 2, 60_000, 'dead letters');
    for (const record of reader.of(dlqTopic)) {
      expect(record.key).toBeNull();
      expect(record.value!.toString('latin1')).not.toContain('ada.lovelace');
      expect(String(record.headers['x-segmentloom-dlq-encryption'])).toBe('aes-256-gcm/v1');
      expect(record.headers).not.toHaveProperty('trace');
    }
    expect(reader.of(dlqTopic).map((r) => String(r.headers[DLQ_HEADER.code]))).toEqual(['malformed_json', 'unrepresentable_number']);

    // Created with the configured retention.
    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: dlqTopic, configNames: ['retention.ms'] }],
    });
    await admin.disconnect();
    expect(described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')!.configValue).toBe(String(12 * 3_600_000));

    // Inspect from the topic: reasons, no values, no key needed.
    const out = capture();
    expect(await dlq(['inspect', '--config', file], { stdout: out, stderr: capture(), env: {} })).toBe(0);
    expect(out.text).not.toContain(EMAIL);
    expect(JSON.parse(out.text.trim().split('\n').at(-1)!)).toEqual({
      totals: { records: 2, encrypted: 2, clear: 0, truncated: 0, byCode: { malformed_json: 1, unrepresentable_number: 1 } },
    });

    // Replay to another topic (the config holds the key): original key, value and headers.
    const err = capture();
    expect(await dlq(['replay', '--config', file, '--to', replayTo], { stdout: capture(), stderr: err, env: {} }), err.text).toBe(0);
    const replayed = await new TopicReader(kafka, [replayTo]).start();
    readers.push(replayed);
    await replayed.waitFor(() => replayed.of(replayTo).length >= 2, 60_000, 'replayed records');
    expect(replayed.of(replayTo).map((r) => ({ key: r.key!.toString(), value: r.value!.toString(), trace: String(r.headers.trace) }))).toEqual(
      bad.map((b) => ({ key: b.key, value: b.value, trace: b.headers.trace })),
    );
  }, 120_000);

  it('refuses to start when the dead-letter topic keeps records longer than deadLetter.retention', async () => {
    const input = uniqueName('dlq-in');
    const dlqTopic = uniqueName('dlq-forever');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: dlqTopic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
        { topic: input, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    await admin.disconnect();
    const file = join(tempDir('sl-dlq-kafka-'), 'engine.yaml');
    writeFileSync(file, yaml(input, dlqTopic));
    await expect(startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {}, serveMetrics: false })).rejects.toThrow(
      new RegExp(
        `deadLetter.retention: the dead-letter topic ${dlqTopic} keeps records for ever, longer than the configured 43200000 ms; set it: kafka-configs.sh`,
      ),
    );
  }, 60_000);
});
