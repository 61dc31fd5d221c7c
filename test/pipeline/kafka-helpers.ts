// Real-broker helpers for the pipeline e2e tests: unique topics, producing, and reading topics back.
import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { kafkaBrokers } from '../helpers/kafka.js';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  /** The record's timestamp (epoch millis as a string): when its producer sent it, by default. */
  timestamp: string;
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'segmentloom-test', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTopics(kafka: Kafka, topics: string[], partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
    // A leader named in the metadata may not host its partition yet on a loaded broker ("This
    // server does not host this topic-partition" to the first client that reads or writes it):
    // asking every leader for its offsets returns only once each one does.
    for (const topic of topics) {
      await waitUntil(
        () =>
          admin.fetchTopicOffsets(topic).then(
            (offsets) => offsets.length >= partitions,
            () => false,
          ),
        10_000,
        `every leader of ${topic} hosting its partition`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

export async function produce(
  kafka: Kafka,
  topic: string,
  messages: Array<{ key?: string | Buffer | null; value: string | Buffer | null; headers?: IHeaders; partition?: number }>,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 2000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads topics from the beginning into memory, continuously, until `stop()`. `waitFor` polls a
 * predicate over what has been read so far.
 */
export class TopicReader {
  readonly messages = new Map<string, ReadMessage[]>();
  // A reader that rebalances before committing re-reads from the start: count each offset once.
  private readonly seen = new Set<string>();
  duplicates = 0;
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {
    for (const topic of topics) this.messages.set(topic, []);
  }

  async start(): Promise<this> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const id = `${topic}:${partition}:${message.offset}`;
        if (this.seen.has(id)) {
          this.duplicates++;
          return;
        }
        this.seen.add(id);
        this.messages.get(topic)!.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          timestamp: message.timestamp,
        });
      },
    });
    return this;
  }

  of(topic: string): ReadMessage[] {
    return this.messages.get(topic) ?? [];
  }

  json(topic: string): Array<Record<string, any>> {
    return this.of(topic).map((m) => JSON.parse(String(m.value)));
  }

  async waitFor(check: () => boolean, timeoutMs = 60_000, what = 'messages'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) {
        const counts = [...this.messages].map(([t, m]) => `${t}=${m.length}`).join(', ');
        throw new Error(`timed out waiting for ${what} (read so far: ${counts})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Committed offsets of a group summed over a topic's partitions, and the topic's end offsets. */
export async function groupProgress(kafka: Kafka, groupId: string, topic: string): Promise<{ committed: number; end: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    const end = ends.reduce((sum, p) => sum + Number(p.high), 0);
    return { committed, end };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until a consumer group is Stable with `members` members that each hold partitions: the
 * point after which every member consumes. (Each engine reporting "joined" can precede the
 * rebalance that hands the later member its share.)
 */
export async function waitForGroupShared(kafka: Kafka, groupId: string, members: number, timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitUntil(
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return (
          group !== undefined &&
          group.state === 'Stable' &&
          group.members.length === members &&
          group.members.every((m) =>
            Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).some((partitions) => partitions.length > 0),
          )
        );
      },
      timeoutMs,
      `consumer group ${groupId} to be stable with ${members} members holding partitions`,
    );
  } finally {
    await admin.disconnect();
  }
}
