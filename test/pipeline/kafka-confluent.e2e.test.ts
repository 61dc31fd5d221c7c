// Confluent wire format end to end: Avro and JSON Schema events registered in a real
// Confluent-compatible registry, produced to Kafka, decoded, controlled and written as JSON.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { DLQ_HEADER } from '../../src/events/dead-letter.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { kafkaBrokers } from '../helpers/kafka.js';
import { describeRegistry, registryUrl } from '../helpers/registry.js';
import { expectedHash, policyYaml, tempDir } from './helpers.js';
import { createTopics, produce, testKafka, TopicReader, uniqueName } from './kafka-helpers.js';

const AVRO = {
  type: 'record',
  name: 'Track',
  namespace: 'dev.segmentloom.test',
  fields: [
    { name: 'type', type: 'string' },
    { name: 'event', type: 'string' },
    { name: 'messageId', type: 'string' },
    { name: 'userId', type: ['null', 'string'], default: null },
    {
      name: 'properties',
      type: {
        type: 'record',
        name: 'Props',
        fields: [
          { name: 'email', type: 'string' },
          { name: 'password', type: 'string' },
          { name: 'total', type: 'double' },
        ],
      },
    },
  ],
};
const JSON_SCHEMA = { type: 'object', properties: { type: { type: 'string' }, messageId: { type: 'string' } }, required: ['type', 'messageId'] };

describeRegistry('confluent-encoded input on Kafka', () => {
  const kafka = testKafka();
  let engine: EngineHandle | null = null;
  let reader: TopicReader | null = null;
  afterAll(async () => {
    await engine?.stop();
    await reader?.stop();
  });

  it('decodes Avro and JSON Schema, dead-letters what does not decode', async () => {
    const registry = new SchemaRegistry({ host: registryUrl() });
    const avroId = (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(AVRO) }, { subject: uniqueName('avro-value') })).id;
    const jsonId = (await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(JSON_SCHEMA) }, { subject: uniqueName('json-value') })).id;

    const t = {
      input: uniqueName('cf-in'),
      warehouse: uniqueName('cf-wh'),
      analytics: uniqueName('cf-an'),
      ads: uniqueName('cf-ads'),
      dlq: uniqueName('cf-dlq'),
    };
    await createTopics(kafka, Object.values(t), 1);
    const avroEvent = {
      type: 'track',
      event: 'Order Completed',
      messageId: 'avro-1',
      userId: 'u-1',
      properties: { email: 'ada@example.com', password: 'hunter2-secret', total: 42 },
    };
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 0x02]);
    await produce(kafka, t.input, [
      { key: 'a', value: await registry.encode(avroId, avroEvent), headers: { h: 'avro' } },
      { key: 'j', value: await registry.encode(jsonId, { type: 'identify', messageId: 'json-1', traits: { email: 'grace@example.com' } }) },
      { key: 'plain', value: '{"type":"page","messageId":"plain-1"}' },
      { key: 'unknown', value: unknownId },
    ]);

    const dir = tempDir();
    const file = join(dir, 'engine.yaml');
    writeFileSync(
      file,
      `kafka:
  brokers: "${kafkaBrokers()}"
  groupId: ${uniqueName('cf-group')}
  topics: [${t.input}]
  fromBeginning: true
decoding: { format: confluent, registryUrl: "${registryUrl()}" }
deadLetter: { topic: ${t.dlq} }
reload: { enabled: false }
${policyYaml(t)}`,
    );
    reader = await new TopicReader(kafka, [t.warehouse, t.ads, t.dlq]).start();
    engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {} });
    await reader.waitFor(() => reader!.of(t.warehouse).length >= 2 && reader!.of(t.dlq).length >= 2, 90_000);

    const warehouse = new Map(reader.json(t.warehouse).map((e) => [e.messageId, e]));
    expect(warehouse.get('avro-1')).toEqual({ ...avroEvent, properties: { email: 'ada@example.com', total: 42 } });
    expect(warehouse.get('json-1')).toMatchObject({ type: 'identify', traits: { email: 'grace@example.com' } });
    const ads = reader.json(t.ads).find((e) => e.messageId === 'avro-1')!;
    expect(ads.properties.email).toBe(expectedHash('ada@example.com'));
    const avroOut = reader.of(t.warehouse).find((m) => String(m.key) === 'a')!;
    expect(String(avroOut.headers.h)).toBe('avro');

    const dlq = new Map(reader.of(t.dlq).map((m) => [String(m.key), m]));
    expect(String(dlq.get('plain')!.headers[DLQ_HEADER.code])).toBe('bad_wire_format');
    expect(String(dlq.get('plain')!.value)).toBe('{"type":"page","messageId":"plain-1"}');
    expect(String(dlq.get('unknown')!.headers[DLQ_HEADER.code])).toBe('unknown_schema');
    expect(dlq.get('unknown')!.value).toEqual(unknownId);
  }, 150_000);
});
