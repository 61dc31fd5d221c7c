import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../observability/logger.js';
import type { EventSource, HeaderValue, InputMessage, SourceBatch } from '../types.js';

export interface KafkaSourceOptions {
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  maxWaitTimeInMs?: number;
  partitionsConsumedConcurrently?: number;
  logger: Logger;
}

/**
 * A kafkajs consumer-group member. Batches are delivered per partition, one at a time per
 * partition (kafkajs fetches the next only when the handler returns: that is the backpressure).
 * Offsets are resolved and committed only when the loop calls `commit()`, i.e. after every
 * output of the batch was acknowledged. Several engines with one groupId share the partitions.
 */
export class KafkaSource implements EventSource {
  private consumer: Consumer | null = null;
  private joined = false;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaSourceOptions,
  ) {}

  ready(): boolean {
    return this.joined && this.stopping === null;
  }

  async start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const { logger } = this.options;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      maxBytes: this.options.maxBytes,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs,
      allowAutoTopicCreation: false,
      retry: { retries: 8, restartOnFailure: async () => true },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      logger.info({ groupId: e.payload.groupId, memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'joined consumer group');
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      logger.error({ err: { name: e.payload.error.name, message: e.payload.error.message }, restart: e.payload.restart }, 'consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    await consumer.run({
      autoCommit: true,
      // Commit whenever something is resolved: we resolve only what is acknowledged downstream.
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload) => {
        if (payload.batch.messages.length === 0 || payload.isStale()) return;
        await onBatch(toSourceBatch(payload));
      },
    });
  }

  /** Leaves the group after the batches in flight have finished and committed, then disconnects. */
  stop(): Promise<void> {
    if (this.stopping === null) {
      const consumer = this.consumer;
      this.stopping = consumer === null ? Promise.resolve() : consumer.disconnect();
    }
    return this.stopping;
  }
}

function toSourceBatch(payload: EachBatchPayload): SourceBatch {
  const { batch } = payload;
  const messages: InputMessage[] = new Array(batch.messages.length);
  for (let i = 0; i < batch.messages.length; i++) messages[i] = toInput(batch.topic, batch.partition, batch.messages[i]!);
  const last = batch.lastOffset();
  return {
    messages,
    topic: batch.topic,
    partition: batch.partition,
    async commit() {
      payload.resolveOffset(last);
      // The outputs are already acknowledged: a commit refused for a passing reason (coordinator
      // loading or moving) is retried, since failing here would redo — and duplicate — the batch.
      for (let attempt = 0; ; attempt++) {
        try {
          await payload.commitOffsetsIfNecessary();
          return;
        } catch (err) {
          const retriable = (err as { retriable?: boolean }).retriable === true;
          if (!retriable || attempt >= 5 || payload.isStale()) throw err;
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        }
      }
    },
    heartbeat: () => payload.heartbeat(),
    isStale: () => payload.isStale(),
    // High watermark is the offset the next produced message gets; we have consumed up to `last`.
    lagAfter: () => Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)),
  };
}

function toInput(topic: string, partition: number, message: KafkaMessage): InputMessage {
  const headers: Record<string, HeaderValue | undefined> = {};
  if (message.headers) {
    for (const name in message.headers) headers[name] = message.headers[name];
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}
