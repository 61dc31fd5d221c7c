import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { StoredDeadLetter } from '../dead-letter-records.js';

/**
 * Reads a dead-letter topic from its earliest offsets to the end it had when called, record by
 * record (in order per partition). Uses a throwaway consumer group and commits nothing, so
 * inspecting or replaying never moves anyone's offsets.
 */
export async function readDeadLetterTopic(kafka: Kafka, topic: string, onRecord: (record: StoredDeadLetter) => Promise<void>): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (remaining.size === 0) return 0;
  const consumer = kafka.consumer({ groupId: `segmentloom-dlq-read-${randomUUID()}`, allowAutoTopicCreation: false });
  let count = 0;
  let failure: unknown = null;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const high = ends.get(batch.partition) ?? 0n;
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= high) break;
              const headers: Record<string, string> = {};
              for (const [name, v] of Object.entries(m.headers ?? {})) {
                if (v === undefined) continue;
                headers[name] = Array.isArray(v) ? v.map((x) => x.toString()).join(',') : v.toString();
              }
              try {
                await onRecord({ key: m.key, value: m.value, headers, at: `${topic}/${batch.partition}@${m.offset}` });
              } catch (err) {
                failure = err;
                resolve();
                return;
              }
              count++;
            }
            if (BigInt(batch.lastOffset()) + 1n >= high) remaining.delete(batch.partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  if (failure !== null) throw failure;
  return count;
}
