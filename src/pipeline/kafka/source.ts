import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../core/logger.js';
import type { EventSource, HeaderValue, InputMessage, SourceBatch } from '../../events/index.js';

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
 * partition (kafkajs fetches the next only when every handler of a fetch has returned: that is
 * the backpressure). The source pipelines: once the loop has processed a batch and queued its
 * outputs, the read position moves past it and the next fetch starts, while the loop sends the
 * batch in the background. Offsets are committed only when the loop calls `commit()`, i.e. after
 * every output of the batch was acknowledged (kafkajs's own auto-commit is off); a failed send
 * rewinds the partition to the failed batch (`redeliver`). Several engines with one groupId
 * share the partitions.
 */
export class KafkaSource implements EventSource {
  private consumer: Consumer | null = null;
  private joined = false;
  private stopping: Promise<void> | null = null;
  private paused = false;
  /** Handlers running now; `pause()` waits for them. */
  private running = 0;
  private idle: (() => void) | null = null;
  /** The current assignment as `topic\0partition`: a revoked partition's late commit is skipped. */
  private assigned = new Set<string>();

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
      this.assigned = new Set(Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}\u0000${p}`)));
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
      // Resolving only moves the read position; commits are explicit, after the outputs are acknowledged.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload) => {
        if (payload.batch.messages.length === 0 || payload.isStale() || this.paused) return;
        this.running++;
        try {
          const batch = toSourceBatch(payload, consumer, (topic, partition) => this.assigned.has(`${topic}\u0000${partition}`));
          await onBatch(batch);
          // Read on from after the batch (unless a failed send has rewound the partition meanwhile).
          if (!payload.isStale()) payload.resolveOffset(payload.batch.lastOffset());
        } finally {
          if (--this.running === 0) this.idle?.();
        }
      },
    });
  }

  /** Stops delivering batches and waits for the handlers running now; the group stays joined. */
  async pause(): Promise<void> {
    this.paused = true;
    const consumer = this.consumer;
    try {
      if (consumer !== null && this.stopping === null) consumer.pause(this.options.topics.map((topic) => ({ topic })));
    } catch {
      // Not running (never started, or restarting after a crash): there is nothing to fetch.
    }
    if (this.running > 0) await new Promise<void>((resolve) => (this.idle = resolve));
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

function toSourceBatch(payload: EachBatchPayload, consumer: Consumer, assigned: (topic: string, partition: number) => boolean): SourceBatch {
  const { batch } = payload;
  const messages: InputMessage[] = new Array(batch.messages.length);
  for (let i = 0; i < batch.messages.length; i++) messages[i] = toInput(batch.topic, batch.partition, batch.messages[i]!);
  const last = batch.lastOffset();
  return {
    messages,
    topic: batch.topic,
    partition: batch.partition,
    async commit() {
      const offsets = { topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(BigInt(last) + 1n) }] }] };
      // The outputs are already acknowledged: a commit refused for a passing reason (coordinator
      // loading or moving) is retried, since failing here would redo — and duplicate — the batch.
      for (let attempt = 0; ; attempt++) {
        // Revoked meanwhile: its new owner reads from the last commit (a late one here could move it back).
        if (!assigned(batch.topic, batch.partition)) return;
        try {
          await payload.commitOffsetsIfNecessary(offsets);
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
    redeliver: () => {
      try {
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: batch.firstOffset() ?? last });
      } catch {
        // Not running (restarting after a crash): it resumes from the last commit, before this batch.
      }
    },
    // High watermark is the offset the next produced message gets; we have consumed up to `last`.
    lagAfter: () => Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)),
  };
}

/** Shared by every message without headers (most of them): read-only, like every InputMessage's headers. */
const NO_HEADERS: Readonly<Record<string, HeaderValue | undefined>> = Object.freeze({});

function toInput(topic: string, partition: number, message: KafkaMessage): InputMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    // The client's own object, not a copy: the loop copies headers once, where an output or a
    // dead-letter record needs them.
    headers: message.headers ?? NO_HEADERS,
    timestamp: message.timestamp,
  };
}
