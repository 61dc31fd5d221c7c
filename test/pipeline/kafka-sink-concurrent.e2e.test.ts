// Several partitions' lanes send through one sink at once, and when the input and output topics
// are partitioned differently their outputs meet on one output partition. The idempotent
// producer numbers a record batch when it builds the request and counts the numbers used only
// once the send is acknowledged, so two sends in flight to one partition would carry the same
// sequence; the broker takes the second for a retry of the first and drops it, answering success.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaSchema } from '../../src/config/schema.js';
import { PlatformaticKafkaSink } from '../../src/pipeline/kafka/platformatic-sink.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { createTopics, testKafka, TopicReader, uniqueName } from './kafka-helpers.js';

const SENDS = 200;

describeKafka('Kafka sink: concurrent sends to one partition', () => {
  const kafka = testKafka();
  const topic = uniqueName('sink-concurrent');
  let reader: TopicReader;

  beforeAll(async () => {
    await createTopics(kafka, [topic], 1);
    const sink = new PlatformaticKafkaSink(kafkaSchema.parse({ brokers: kafkaBrokers(), topics: ['unused'] }));
    await sink.connect();
    // One message per send, all at once: equal sizes are what the broker's duplicate check matches.
    await Promise.all(Array.from({ length: SENDS }, (_, i) => sink.send(topic, [{ key: `user_${i % 7}`, value: JSON.stringify({ i }) }])));
    await sink.close();
    reader = await new TopicReader(kafka, [topic]).start();
    await reader.waitFor(() => reader.of(topic).length >= SENDS, 30_000, `${SENDS} messages`).catch(() => {});
  });

  afterAll(async () => {
    await reader?.stop();
  });

  it('writes every acknowledged message once', () => {
    const seen = reader.json(topic).map((m) => m.i as number);
    expect(new Set(seen).size).toBe(SENDS);
    expect(seen).toHaveLength(SENDS);
  });
});
